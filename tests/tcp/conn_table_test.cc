// The connection table alone: slots and ports run out independently, ports
// come back in FIFO order, lookups check the remote end, ids go stale when
// a slot is freed, the TIME-WAIT list keeps its order, and the buffers of
// neighbouring slots do not overlap.
#include "tcp/conn_table.h"

#include <cstdint>
#include <string_view>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

const Ipv4Address kRemote(0x0a4d0003);  // 10.77.0.3

// A user that the table only stores, never calls.
class IdleHandler : public TcpHandler {
 public:
  void OnConnected(uint64_t) override {}
  void OnData(std::string_view, uint64_t) override {}
  void OnPeerClosed(uint64_t) override {}
  void OnClosed(TcpCloseReason, uint64_t) override {}
};

// Takes a slot as Connect() does: a live connection to kRemote:`port`.
uint32_t Open(ConnTable& t, uint16_t port) {
  static IdleHandler handler;
  const uint32_t i = t.Allocate();
  t[i].state = TcpState::kEstablished;
  t[i].remote_ip = kRemote;
  t[i].remote_port = port;
  t[i].handler = &handler;
  return i;
}

TEST(ConnTableTest, FindChecksTheRemoteEnd) {
  ConnTable t(4, 40000, 40009, 16, 16);
  const uint32_t i = Open(t, 443);
  const uint16_t port = t[i].local_port;
  EXPECT_EQ(port, 40000);
  EXPECT_EQ(t.Find(port, kRemote, 443), i);
  EXPECT_EQ(t.Find(port, kRemote, 25), kNoSlot);
  EXPECT_EQ(t.Find(port, Ipv4Address(0x0a4d0004), 443), kNoSlot);
  EXPECT_EQ(t.Find(40001, kRemote, 443), kNoSlot);  // no connection there
  EXPECT_TRUE(t.OwnsPort(40000));
  EXPECT_TRUE(t.OwnsPort(40009));
  EXPECT_FALSE(t.OwnsPort(39999));
  EXPECT_FALSE(t.OwnsPort(40010));
  t.Free(i);
  EXPECT_EQ(t.Find(port, kRemote, 443), kNoSlot);
}

TEST(ConnTableTest, PortsComeBackLast) {
  ConnTable t(4, 40000, 40002, 16, 16);
  const uint32_t a = Open(t, 1);
  const uint32_t b = Open(t, 1);
  EXPECT_EQ(t[a].local_port, 40000);
  EXPECT_EQ(t[b].local_port, 40001);
  t.Free(a);
  EXPECT_EQ(t[Open(t, 1)].local_port, 40002);
  EXPECT_EQ(t[Open(t, 1)].local_port, 40000);  // the freed one, last
  EXPECT_FALSE(t.has_free_port());
  EXPECT_TRUE(t.has_free_slot());  // 4 slots, 3 ports
}

TEST(ConnTableTest, SlotsRunOut) {
  ConnTable t(2, 40000, 40099, 16, 16);
  Open(t, 1);
  const uint32_t b = Open(t, 1);
  EXPECT_EQ(t.active(), 2u);
  EXPECT_FALSE(t.has_free_slot());
  EXPECT_TRUE(t.has_free_port());
  t.Free(b);
  EXPECT_EQ(t.active(), 1u);
  EXPECT_TRUE(t.has_free_slot());
}

TEST(ConnTableTest, NoPortsWhenTheRangeIsEmpty) {
  ConnTable t(2, 40001, 40000, 16, 16);
  EXPECT_FALSE(t.has_free_port());
  EXPECT_FALSE(t.OwnsPort(40000));
  EXPECT_FALSE(t.OwnsPort(40001));
}

TEST(ConnTableTest, FreedSlotsInvalidateTheirIds) {
  ConnTable t(1, 40000, 40099, 16, 16);
  const uint32_t i = Open(t, 443);
  const TcpConnId id{i, t[i].generation};
  EXPECT_EQ(t.Live(id), i);
  EXPECT_TRUE(t.Same(i, id.generation));
  t[i].handler = nullptr;  // OnClosed has run: the user may no longer act
  EXPECT_EQ(t.Live(id), kNoSlot);
  t.Free(i);
  const uint32_t again = Open(t, 443);
  EXPECT_EQ(again, i);
  EXPECT_NE(t[again].generation, id.generation);
  EXPECT_EQ(t.Live(id), kNoSlot);
  EXPECT_EQ(t.Live(TcpConnId{7, 0}), kNoSlot);  // no such slot
}

TEST(ConnTableTest, TimeWaitListKeepsItsOrder) {
  ConnTable t(4, 40000, 40099, 16, 16);
  uint32_t s[4];
  for (uint32_t& i : s) {
    i = Open(t, 1);
    t[i].state = TcpState::kTimeWait;
    t.AddTimeWait(i);
  }
  EXPECT_EQ(t.oldest_time_wait(), s[0]);
  t.Free(s[1]);  // from the middle
  EXPECT_EQ(t.oldest_time_wait(), s[0]);
  t.Free(s[0]);
  EXPECT_EQ(t.oldest_time_wait(), s[2]);
  t.Free(s[3]);  // the newest
  EXPECT_EQ(t.oldest_time_wait(), s[2]);
  const uint32_t n = Open(t, 1);
  t[n].state = TcpState::kTimeWait;
  t.AddTimeWait(n);
  t.Free(s[2]);
  EXPECT_EQ(t.oldest_time_wait(), n);
  t.Free(n);
  EXPECT_EQ(t.oldest_time_wait(), kNoSlot);
}

TEST(ConnTableTest, BuffersAreDisjoint) {
  constexpr uint32_t kSend = 100;
  constexpr uint32_t kRecv = 300;
  ConnTable t(3, 40000, 40099, kSend, kRecv);
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(t.recv_buffer(i), t.send_buffer(i) + kSend);
    if (i > 0) {
      EXPECT_EQ(t.send_buffer(i), t.recv_buffer(i - 1) + kRecv);
    }
  }
  EXPECT_EQ(ConnTable::BytesPerSlot(kSend, kRecv), sizeof(Tcb) + 4 + kSend + kRecv);
}

}  // namespace
}  // namespace tlsweep
