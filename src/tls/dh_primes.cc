// See dh_primes.h.
#include "tls/dh_primes.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tls/openssl_util.h"

namespace tlsweep {
namespace {

// Sources of the values hashed below:
//  [rfc]   the RFC texts; the hashes agree with OpenSSL 3's copies
//          (BN_get_rfc2409_prime_*, BN_get_rfc3526_prime_*, and the named
//          groups ffdhe*, dh_1024_160, dh_2048_224, dh_2048_256), which the
//          test re-derives.
//  [nmap]  Nmap's scripts/ssl-dh-params.nse (https://svn.nmap.org/nmap/
//          scripts/ssl-dh-params.nse) as carried in testssl.sh's
//          etc/common-primes.txt (commit 6452ec99, 2024-10-17): the
//          built-in primes of Apache mod_ssl, nginx, OpenSSL's apps and
//          Cisco IronPort, with the labels those files give them.
//  [postfix] Postfix src/tls/tls_dh.c, builtin_der: the 2048-bit group
//          compiled into Postfix 3.1 and later (used when no
//          smtpd_tls_dh1024_param_file is set).
constexpr WellKnownDhPrime kPrimes[] = {
    {"b52ba6a3026520a6c49d37e4587601801bee500123b3259b6bf03e7cecc3e63d", 768,
     "RFC 2409 group 1 (768-bit MODP)", "RFC 2409 6.1 [rfc]"},
    {"3f35a3f5f6c4376a744acad409bb22f8d897f949d2311d885adaa890981b67a0", 1024,
     "RFC 2409 group 2 (1024-bit MODP)", "RFC 2409 6.2 [rfc]"},
    {"64fcc83ec403930bf18393dbc883ccaa1fbb08ac876f77f7aa99748ca945019b", 1536,
     "RFC 3526 group 5 (1536-bit MODP)", "RFC 3526 2 [rfc]"},
    {"d66436f79bbd6b2e38c0ffbd079be904d2641415e2e67140e09448be9a60890e", 2048,
     "RFC 3526 group 14 (2048-bit MODP)", "RFC 3526 3 [rfc]"},
    {"48cf8b092fbce4359d9871abf74f98e25b6163379eaa15cd9087e800c6d1c55c", 3072,
     "RFC 3526 group 15 (3072-bit MODP)", "RFC 3526 4 [rfc]"},
    {"4ee95187682bcb230ad26a95205f6920e84708f6251b3894329b09ec23919e33", 4096,
     "RFC 3526 group 16 (4096-bit MODP)", "RFC 3526 5 [rfc]"},
    {"d1bfe6d0925ce7e4da262b62861514a7755e35831e429f343e7b864848657efd", 6144,
     "RFC 3526 group 17 (6144-bit MODP)", "RFC 3526 6 [rfc]"},
    {"39ab4feab950a3128fb71accb9fc3965d857012e081998a85996e3ea8b3c3bcf", 8192,
     "RFC 3526 group 18 (8192-bit MODP)", "RFC 3526 7 [rfc]"},
    {"44c55cfee5c075927cf682da5b681bdecbd5c3eb0784c14f5dce7610f0ef133d", 1024,
     "RFC 5114 2.1 (1024-bit MODP, 160-bit subgroup)", "RFC 5114 2.1 [rfc]"},
    {"bfe545862ca102ad1eeddb5fbfa5bf855ac4995c56a8b408ce3fe099dce93a9d", 2048,
     "RFC 5114 2.2 (2048-bit MODP, 224-bit subgroup)", "RFC 5114 2.2 [rfc]"},
    {"0b7835722cb619827610c2549fdda5587421686c4409a13865e76225522ddcc9", 2048,
     "RFC 5114 2.3 (2048-bit MODP, 256-bit subgroup)", "RFC 5114 2.3 [rfc]"},
    {"9cd3b7f336872f46c09428d1bbc19877a4d440512cda8d1c1cf0cd6e33698966", 2048,
     "RFC 7919 ffdhe2048", "RFC 7919 A.1 [rfc]"},
    {"0eaf67db3a839156d5013494a5318a772b5697d270d721f37f092efc69ea5a17", 3072,
     "RFC 7919 ffdhe3072", "RFC 7919 A.2 [rfc]"},
    {"4648414224ac881b3d0dc59b466f96d06a558278776807797ecf1f66ff397b3e", 4096,
     "RFC 7919 ffdhe4096", "RFC 7919 A.3 [rfc]"},
    {"227ac9066b3ddd9e193670cda2388fa884f65ba0cf98b742d1fe77a6687c79c7", 6144,
     "RFC 7919 ffdhe6144", "RFC 7919 A.4 [rfc]"},
    {"770b14efaf6f049929c523113b3fa99a8d11dab1b18af3609590122075d19833", 8192,
     "RFC 7919 ffdhe8192", "RFC 7919 A.5 [rfc]"},
    {"3cdb020b9ef298b2f3f6cf5a872af527337bf7b9f654b2e70c49da16a4d24137", 512,
     "Apache mod_ssl 2.0 built-in 512-bit", "[nmap]"},
    {"db01e702899166da28c9bc7896af62bcdf0c96d0fb341950ba80e68bd51a57ef", 512,
     "Apache mod_ssl 2.2 built-in 512-bit", "[nmap]"},
    {"bf910d9df4e0b2e76cda7443f592aa118e33ba2c224ebc27fb8978d873c8c2e3", 1024,
     "Apache mod_ssl 2.2 built-in 1024-bit", "[nmap]"},
    {"8ae47dca3d24e9b64640062686da234dcabada26b0da6f090c5449c1338d9a11", 1024,
     "nginx built-in 1024-bit", "[nmap]"},
    {"f26e2403f3f07946654404909f0ff81d9354de17250411b4c04b89af73178425", 512,
     "OpenSSL apps built-in 512-bit", "[nmap]"},
    {"66d0bf38b0bdfacf2fdae33f35102ab6079fd5ff0feff8e436a4063745c72739", 1024,
     "OpenSSL apps built-in 1024-bit", "[nmap]"},
    {"3166ce19180005327a6059a2e7a4ed22775ad2f0eadaee59a7481ab391fe592f", 2048,
     "OpenSSL apps built-in 2048-bit (a)", "[nmap]"},
    {"9e348a9471b7d123aa97071e38288379fc12a9992e8e75db2113c1ded5463ac3", 2048,
     "OpenSSL apps built-in 2048-bit (b)", "[nmap]"},
    {"ce7728db3aed1119a82b9f17b17df9f8e370ddd7639946df09a119f924aa42e8", 4096,
     "OpenSSL apps built-in 4096-bit", "[nmap]"},
    {"bfa876fe4671a9c696c8e256c13d7fadaa05c8991660e0924604ff7b239c6d1a", 1024,
     "Cisco IronPort SMTPD built-in 1024-bit", "[nmap]"},
    {"450349830c07b0225c8fd0b123ca8febdf0c28fde698258de7cab092b9045a94", 2048,
     "Postfix 3.1+ built-in 2048-bit", "[postfix]"},
};

}  // namespace

std::string DhPrimeSha256Hex(std::span<const uint8_t> prime) {
  size_t i = 0;
  while (i < prime.size() && prime[i] == 0) ++i;
  return Sha256Hex(std::string_view(
      reinterpret_cast<const char*>(prime.data()) + i, prime.size() - i));
}

const WellKnownDhPrime* FindWellKnownDhPrime(std::string_view sha256_hex) {
  for (const WellKnownDhPrime& p : kPrimes) {
    if (p.sha256_hex == sha256_hex) return &p;
  }
  return nullptr;
}

std::span<const WellKnownDhPrime> WellKnownDhPrimes() { return kPrimes; }

}  // namespace tlsweep
