// Bounded big-endian readers and writers for the TLS handshake codec.
//
// Every TLS structure is a nest of length-prefixed vectors (RFC 8446 3.4),
// so both sides are built around that: the reader hands out sub-readers that
// cannot see past their vector, and the writer fills in a vector's length
// when it is closed. Neither throws nor asserts: a read past the end returns
// false, and a write past the buffer sets a flag the builder checks once at
// the end, so one bounds check covers every field.
#ifndef TLSWEEP_TLS_BYTE_IO_H_
#define TLSWEEP_TLS_BYTE_IO_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace tlsweep {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  size_t remaining() const { return bytes_.size() - pos_; }
  bool empty() const { return remaining() == 0; }

  bool Read8(uint8_t* v) {
    if (remaining() < 1) return false;
    *v = bytes_[pos_++];
    return true;
  }
  bool Read16(uint16_t* v) {
    if (remaining() < 2) return false;
    *v = static_cast<uint16_t>((bytes_[pos_] << 8) | bytes_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool Read24(uint32_t* v) {
    if (remaining() < 3) return false;
    *v = (uint32_t{bytes_[pos_]} << 16) | (uint32_t{bytes_[pos_ + 1]} << 8) |
         bytes_[pos_ + 2];
    pos_ += 3;
    return true;
  }
  bool ReadBytes(size_t n, std::span<const uint8_t>* out) {
    if (remaining() < n) return false;
    *out = bytes_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  // A vector with a `length_bytes`-byte (1, 2 or 3) length prefix.
  bool ReadVector(int length_bytes, std::span<const uint8_t>* out) {
    uint32_t n = 0;
    if (length_bytes == 1) {
      uint8_t v;
      if (!Read8(&v)) return false;
      n = v;
    } else if (length_bytes == 2) {
      uint16_t v;
      if (!Read16(&v)) return false;
      n = v;
    } else if (!Read24(&n)) {
      return false;
    }
    return ReadBytes(n, out);
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

class ByteWriter {
 public:
  explicit ByteWriter(std::span<uint8_t> out) : out_(out) {}

  // False once any write did not fit; the contents are then unusable.
  bool ok() const { return ok_; }
  size_t size() const { return pos_; }

  void Put8(uint8_t v) {
    if (!Reserve(1)) return;
    out_[pos_++] = v;
  }
  void Put16(uint16_t v) {
    if (!Reserve(2)) return;
    out_[pos_++] = static_cast<uint8_t>(v >> 8);
    out_[pos_++] = static_cast<uint8_t>(v);
  }
  void PutBytes(std::span<const uint8_t> bytes) {
    if (!Reserve(bytes.size())) return;
    if (!bytes.empty()) std::memcpy(&out_[pos_], bytes.data(), bytes.size());
    pos_ += bytes.size();
  }

  // Opens a vector with a `length_bytes`-byte length prefix (1, 2 or 3);
  // pass the returned mark to Close() once the contents are written.
  struct Mark {
    size_t at;
    int length_bytes;
  };
  Mark Open(int length_bytes) {
    Mark mark{pos_, length_bytes};
    for (int i = 0; i < length_bytes; ++i) Put8(0);
    return mark;
  }
  // Writes the length of everything since Open(); fails (ok() == false)
  // when it does not fit the prefix.
  void Close(Mark mark) {
    if (!ok_) return;
    const size_t n = pos_ - mark.at - static_cast<size_t>(mark.length_bytes);
    if (n >> (8 * mark.length_bytes) != 0) {
      ok_ = false;
      return;
    }
    for (int i = 0; i < mark.length_bytes; ++i) {
      out_[mark.at + static_cast<size_t>(i)] = static_cast<uint8_t>(
          n >> (8 * (mark.length_bytes - 1 - i)));
    }
  }

 private:
  bool Reserve(size_t n) {
    if (!ok_ || out_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }

  std::span<uint8_t> out_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace tlsweep

#endif  // TLSWEEP_TLS_BYTE_IO_H_
