// See tls_registry.h. The rows below are the IANA registries'
// (https://www.iana.org/assignments/tls-parameters) ids and names.
#include "tls/tls_registry.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>


namespace tlsweep {
namespace {

// TLS Cipher Suites registry, sorted by id.
constexpr CipherSuiteInfo kCipherSuites[] = {
    {0x0000, "TLS_NULL_WITH_NULL_NULL", KeyExchange::kNull, Authentication::kNone, "NULL", CipherClass::kNull, false},
    {0x0001, "TLS_RSA_WITH_NULL_MD5", KeyExchange::kRsa, Authentication::kRsa, "NULL", CipherClass::kNull, false},
    {0x0002, "TLS_RSA_WITH_NULL_SHA", KeyExchange::kRsa, Authentication::kRsa, "NULL", CipherClass::kNull, false},
    {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", KeyExchange::kRsa, Authentication::kRsa, "RC4_40", CipherClass::kExport, false},
    {0x0004, "TLS_RSA_WITH_RC4_128_MD5", KeyExchange::kRsa, Authentication::kRsa, "RC4_128", CipherClass::kRc4, false},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA", KeyExchange::kRsa, Authentication::kRsa, "RC4_128", CipherClass::kRc4, false},
    {0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", KeyExchange::kRsa, Authentication::kRsa, "RC2_CBC_40", CipherClass::kExport, false},
    {0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", KeyExchange::kRsa, Authentication::kRsa, "IDEA_CBC", CipherClass::kCbc, false},
    {0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", KeyExchange::kRsa, Authentication::kRsa, "DES40_CBC", CipherClass::kExport, false},
    {0x0009, "TLS_RSA_WITH_DES_CBC_SHA", KeyExchange::kRsa, Authentication::kRsa, "DES_CBC", CipherClass::kCbc, false},
    {0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", KeyExchange::kRsa, Authentication::kRsa, "3DES_EDE_CBC", CipherClass::k3des, false},
    {0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA", KeyExchange::kDh, Authentication::kDss, "DES40_CBC", CipherClass::kExport, false},
    {0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA", KeyExchange::kDh, Authentication::kDss, "DES_CBC", CipherClass::kCbc, false},
    {0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", KeyExchange::kDh, Authentication::kDss, "3DES_EDE_CBC", CipherClass::k3des, false},
    {0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA", KeyExchange::kDh, Authentication::kRsa, "DES40_CBC", CipherClass::kExport, false},
    {0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA", KeyExchange::kDh, Authentication::kRsa, "DES_CBC", CipherClass::kCbc, false},
    {0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA", KeyExchange::kDh, Authentication::kRsa, "3DES_EDE_CBC", CipherClass::k3des, false},
    {0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", KeyExchange::kDhe, Authentication::kDss, "DES40_CBC", CipherClass::kExport, true},
    {0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", KeyExchange::kDhe, Authentication::kDss, "DES_CBC", CipherClass::kCbc, true},
    {0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", KeyExchange::kDhe, Authentication::kDss, "3DES_EDE_CBC", CipherClass::k3des, true},
    {0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", KeyExchange::kDhe, Authentication::kRsa, "DES40_CBC", CipherClass::kExport, true},
    {0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", KeyExchange::kDhe, Authentication::kRsa, "DES_CBC", CipherClass::kCbc, true},
    {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", KeyExchange::kDhe, Authentication::kRsa, "3DES_EDE_CBC", CipherClass::k3des, true},
    {0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", KeyExchange::kDhe, Authentication::kAnon, "RC4_40", CipherClass::kExport, true},
    {0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", KeyExchange::kDhe, Authentication::kAnon, "RC4_128", CipherClass::kRc4, true},
    {0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", KeyExchange::kDhe, Authentication::kAnon, "DES40_CBC", CipherClass::kExport, true},
    {0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA", KeyExchange::kDhe, Authentication::kAnon, "DES_CBC", CipherClass::kCbc, true},
    {0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", KeyExchange::kDhe, Authentication::kAnon, "3DES_EDE_CBC", CipherClass::k3des, true},
    {0x001E, "TLS_KRB5_WITH_DES_CBC_SHA", KeyExchange::kKrb5, Authentication::kKrb5, "DES_CBC", CipherClass::kCbc, false},
    {0x001F, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA", KeyExchange::kKrb5, Authentication::kKrb5, "3DES_EDE_CBC", CipherClass::k3des, false},
    {0x0020, "TLS_KRB5_WITH_RC4_128_SHA", KeyExchange::kKrb5, Authentication::kKrb5, "RC4_128", CipherClass::kRc4, false},
    {0x0021, "TLS_KRB5_WITH_IDEA_CBC_SHA", KeyExchange::kKrb5, Authentication::kKrb5, "IDEA_CBC", CipherClass::kCbc, false},
    {0x0022, "TLS_KRB5_WITH_DES_CBC_MD5", KeyExchange::kKrb5, Authentication::kKrb5, "DES_CBC", CipherClass::kCbc, false},
    {0x0023, "TLS_KRB5_WITH_3DES_EDE_CBC_MD5", KeyExchange::kKrb5, Authentication::kKrb5, "3DES_EDE_CBC", CipherClass::k3des, false},
    {0x0024, "TLS_KRB5_WITH_RC4_128_MD5", KeyExchange::kKrb5, Authentication::kKrb5, "RC4_128", CipherClass::kRc4, false},
    {0x0025, "TLS_KRB5_WITH_IDEA_CBC_MD5", KeyExchange::kKrb5, Authentication::kKrb5, "IDEA_CBC", CipherClass::kCbc, false},
    {0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA", KeyExchange::kKrb5, Authentication::kKrb5, "DES_CBC_40", CipherClass::kExport, false},
    {0x0027, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA", KeyExchange::kKrb5, Authentication::kKrb5, "RC2_CBC_40", CipherClass::kExport, false},
    {0x0028, "TLS_KRB5_EXPORT_WITH_RC4_40_SHA", KeyExchange::kKrb5, Authentication::kKrb5, "RC4_40", CipherClass::kExport, false},
    {0x0029, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5", KeyExchange::kKrb5, Authentication::kKrb5, "DES_CBC_40", CipherClass::kExport, false},
    {0x002A, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5", KeyExchange::kKrb5, Authentication::kKrb5, "RC2_CBC_40", CipherClass::kExport, false},
    {0x002B, "TLS_KRB5_EXPORT_WITH_RC4_40_MD5", KeyExchange::kKrb5, Authentication::kKrb5, "RC4_40", CipherClass::kExport, false},
    {0x002C, "TLS_PSK_WITH_NULL_SHA", KeyExchange::kPsk, Authentication::kPsk, "NULL", CipherClass::kNull, false},
    {0x002D, "TLS_DHE_PSK_WITH_NULL_SHA", KeyExchange::kDhePsk, Authentication::kPsk, "NULL", CipherClass::kNull, true},
    {0x002E, "TLS_RSA_PSK_WITH_NULL_SHA", KeyExchange::kRsaPsk, Authentication::kRsa, "NULL", CipherClass::kNull, false},
    {0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", KeyExchange::kRsa, Authentication::kRsa, "AES_128_CBC", CipherClass::kCbc, false},
    {0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", KeyExchange::kDh, Authentication::kDss, "AES_128_CBC", CipherClass::kCbc, false},
    {0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", KeyExchange::kDh, Authentication::kRsa, "AES_128_CBC", CipherClass::kCbc, false},
    {0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", KeyExchange::kDhe, Authentication::kDss, "AES_128_CBC", CipherClass::kCbc, true},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", KeyExchange::kDhe, Authentication::kRsa, "AES_128_CBC", CipherClass::kCbc, true},
    {0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", KeyExchange::kDhe, Authentication::kAnon, "AES_128_CBC", CipherClass::kCbc, true},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", KeyExchange::kRsa, Authentication::kRsa, "AES_256_CBC", CipherClass::kCbc, false},
    {0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA", KeyExchange::kDh, Authentication::kDss, "AES_256_CBC", CipherClass::kCbc, false},
    {0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA", KeyExchange::kDh, Authentication::kRsa, "AES_256_CBC", CipherClass::kCbc, false},
    {0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", KeyExchange::kDhe, Authentication::kDss, "AES_256_CBC", CipherClass::kCbc, true},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", KeyExchange::kDhe, Authentication::kRsa, "AES_256_CBC", CipherClass::kCbc, true},
    {0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA", KeyExchange::kDhe, Authentication::kAnon, "AES_256_CBC", CipherClass::kCbc, true},
    {0x003B, "TLS_RSA_WITH_NULL_SHA256", KeyExchange::kRsa, Authentication::kRsa, "NULL", CipherClass::kNull, false},
    {0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", KeyExchange::kRsa, Authentication::kRsa, "AES_128_CBC", CipherClass::kCbc, false},
    {0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", KeyExchange::kRsa, Authentication::kRsa, "AES_256_CBC", CipherClass::kCbc, false},
    {0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256", KeyExchange::kDh, Authentication::kDss, "AES_128_CBC", CipherClass::kCbc, false},
    {0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256", KeyExchange::kDh, Authentication::kRsa, "AES_128_CBC", CipherClass::kCbc, false},
    {0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", KeyExchange::kDhe, Authentication::kDss, "AES_128_CBC", CipherClass::kCbc, true},
    {0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", KeyExchange::kRsa, Authentication::kRsa, "CAMELLIA_128_CBC", CipherClass::kCbc, false},
    {0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA", KeyExchange::kDh, Authentication::kDss, "CAMELLIA_128_CBC", CipherClass::kCbc, false},
    {0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA", KeyExchange::kDh, Authentication::kRsa, "CAMELLIA_128_CBC", CipherClass::kCbc, false},
    {0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", KeyExchange::kDhe, Authentication::kDss, "CAMELLIA_128_CBC", CipherClass::kCbc, true},
    {0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", KeyExchange::kDhe, Authentication::kRsa, "CAMELLIA_128_CBC", CipherClass::kCbc, true},
    {0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", KeyExchange::kDhe, Authentication::kAnon, "CAMELLIA_128_CBC", CipherClass::kCbc, true},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", KeyExchange::kDhe, Authentication::kRsa, "AES_128_CBC", CipherClass::kCbc, true},
    {0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256", KeyExchange::kDh, Authentication::kDss, "AES_256_CBC", CipherClass::kCbc, false},
    {0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256", KeyExchange::kDh, Authentication::kRsa, "AES_256_CBC", CipherClass::kCbc, false},
    {0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", KeyExchange::kDhe, Authentication::kDss, "AES_256_CBC", CipherClass::kCbc, true},
    {0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", KeyExchange::kDhe, Authentication::kRsa, "AES_256_CBC", CipherClass::kCbc, true},
    {0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", KeyExchange::kDhe, Authentication::kAnon, "AES_128_CBC", CipherClass::kCbc, true},
    {0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", KeyExchange::kDhe, Authentication::kAnon, "AES_256_CBC", CipherClass::kCbc, true},
    {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", KeyExchange::kRsa, Authentication::kRsa, "CAMELLIA_256_CBC", CipherClass::kCbc, false},
    {0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA", KeyExchange::kDh, Authentication::kDss, "CAMELLIA_256_CBC", CipherClass::kCbc, false},
    {0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA", KeyExchange::kDh, Authentication::kRsa, "CAMELLIA_256_CBC", CipherClass::kCbc, false},
    {0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", KeyExchange::kDhe, Authentication::kDss, "CAMELLIA_256_CBC", CipherClass::kCbc, true},
    {0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", KeyExchange::kDhe, Authentication::kRsa, "CAMELLIA_256_CBC", CipherClass::kCbc, true},
    {0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", KeyExchange::kDhe, Authentication::kAnon, "CAMELLIA_256_CBC", CipherClass::kCbc, true},
    {0x008A, "TLS_PSK_WITH_RC4_128_SHA", KeyExchange::kPsk, Authentication::kPsk, "RC4_128", CipherClass::kRc4, false},
    {0x008B, "TLS_PSK_WITH_3DES_EDE_CBC_SHA", KeyExchange::kPsk, Authentication::kPsk, "3DES_EDE_CBC", CipherClass::k3des, false},
    {0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA", KeyExchange::kPsk, Authentication::kPsk, "AES_128_CBC", CipherClass::kCbc, false},
    {0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA", KeyExchange::kPsk, Authentication::kPsk, "AES_256_CBC", CipherClass::kCbc, false},
    {0x008E, "TLS_DHE_PSK_WITH_RC4_128_SHA", KeyExchange::kDhePsk, Authentication::kPsk, "RC4_128", CipherClass::kRc4, true},
    {0x008F, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA", KeyExchange::kDhePsk, Authentication::kPsk, "3DES_EDE_CBC", CipherClass::k3des, true},
    {0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA", KeyExchange::kDhePsk, Authentication::kPsk, "AES_128_CBC", CipherClass::kCbc, true},
    {0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA", KeyExchange::kDhePsk, Authentication::kPsk, "AES_256_CBC", CipherClass::kCbc, true},
    {0x0092, "TLS_RSA_PSK_WITH_RC4_128_SHA", KeyExchange::kRsaPsk, Authentication::kRsa, "RC4_128", CipherClass::kRc4, false},
    {0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA", KeyExchange::kRsaPsk, Authentication::kRsa, "3DES_EDE_CBC", CipherClass::k3des, false},
    {0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA", KeyExchange::kRsaPsk, Authentication::kRsa, "AES_128_CBC", CipherClass::kCbc, false},
    {0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA", KeyExchange::kRsaPsk, Authentication::kRsa, "AES_256_CBC", CipherClass::kCbc, false},
    {0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", KeyExchange::kRsa, Authentication::kRsa, "SEED_CBC", CipherClass::kCbc, false},
    {0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA", KeyExchange::kDh, Authentication::kDss, "SEED_CBC", CipherClass::kCbc, false},
    {0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA", KeyExchange::kDh, Authentication::kRsa, "SEED_CBC", CipherClass::kCbc, false},
    {0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", KeyExchange::kDhe, Authentication::kDss, "SEED_CBC", CipherClass::kCbc, true},
    {0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", KeyExchange::kDhe, Authentication::kRsa, "SEED_CBC", CipherClass::kCbc, true},
    {0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA", KeyExchange::kDhe, Authentication::kAnon, "SEED_CBC", CipherClass::kCbc, true},
    {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", KeyExchange::kRsa, Authentication::kRsa, "AES_128_GCM", CipherClass::kAead, false},
    {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", KeyExchange::kRsa, Authentication::kRsa, "AES_256_GCM", CipherClass::kAead, false},
    {0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", KeyExchange::kDhe, Authentication::kRsa, "AES_128_GCM", CipherClass::kAead, true},
    {0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", KeyExchange::kDhe, Authentication::kRsa, "AES_256_GCM", CipherClass::kAead, true},
    {0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256", KeyExchange::kDh, Authentication::kRsa, "AES_128_GCM", CipherClass::kAead, false},
    {0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384", KeyExchange::kDh, Authentication::kRsa, "AES_256_GCM", CipherClass::kAead, false},
    {0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", KeyExchange::kDhe, Authentication::kDss, "AES_128_GCM", CipherClass::kAead, true},
    {0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", KeyExchange::kDhe, Authentication::kDss, "AES_256_GCM", CipherClass::kAead, true},
    {0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256", KeyExchange::kDh, Authentication::kDss, "AES_128_GCM", CipherClass::kAead, false},
    {0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384", KeyExchange::kDh, Authentication::kDss, "AES_256_GCM", CipherClass::kAead, false},
    {0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", KeyExchange::kDhe, Authentication::kAnon, "AES_128_GCM", CipherClass::kAead, true},
    {0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", KeyExchange::kDhe, Authentication::kAnon, "AES_256_GCM", CipherClass::kAead, true},
    {0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", KeyExchange::kPsk, Authentication::kPsk, "AES_128_GCM", CipherClass::kAead, false},
    {0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384", KeyExchange::kPsk, Authentication::kPsk, "AES_256_GCM", CipherClass::kAead, false},
    {0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", KeyExchange::kDhePsk, Authentication::kPsk, "AES_128_GCM", CipherClass::kAead, true},
    {0x00AB, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384", KeyExchange::kDhePsk, Authentication::kPsk, "AES_256_GCM", CipherClass::kAead, true},
    {0x00AC, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256", KeyExchange::kRsaPsk, Authentication::kRsa, "AES_128_GCM", CipherClass::kAead, false},
    {0x00AD, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384", KeyExchange::kRsaPsk, Authentication::kRsa, "AES_256_GCM", CipherClass::kAead, false},
    {0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256", KeyExchange::kPsk, Authentication::kPsk, "AES_128_CBC", CipherClass::kCbc, false},
    {0x00AF, "TLS_PSK_WITH_AES_256_CBC_SHA384", KeyExchange::kPsk, Authentication::kPsk, "AES_256_CBC", CipherClass::kCbc, false},
    {0x00B0, "TLS_PSK_WITH_NULL_SHA256", KeyExchange::kPsk, Authentication::kPsk, "NULL", CipherClass::kNull, false},
    {0x00B1, "TLS_PSK_WITH_NULL_SHA384", KeyExchange::kPsk, Authentication::kPsk, "NULL", CipherClass::kNull, false},
    {0x00B2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256", KeyExchange::kDhePsk, Authentication::kPsk, "AES_128_CBC", CipherClass::kCbc, true},
    {0x00B3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384", KeyExchange::kDhePsk, Authentication::kPsk, "AES_256_CBC", CipherClass::kCbc, true},
    {0x00B4, "TLS_DHE_PSK_WITH_NULL_SHA256", KeyExchange::kDhePsk, Authentication::kPsk, "NULL", CipherClass::kNull, true},
    {0x00B5, "TLS_DHE_PSK_WITH_NULL_SHA384", KeyExchange::kDhePsk, Authentication::kPsk, "NULL", CipherClass::kNull, true},
    {0x00B6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256", KeyExchange::kRsaPsk, Authentication::kRsa, "AES_128_CBC", CipherClass::kCbc, false},
    {0x00B7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384", KeyExchange::kRsaPsk, Authentication::kRsa, "AES_256_CBC", CipherClass::kCbc, false},
    {0x00B8, "TLS_RSA_PSK_WITH_NULL_SHA256", KeyExchange::kRsaPsk, Authentication::kRsa, "NULL", CipherClass::kNull, false},
    {0x00B9, "TLS_RSA_PSK_WITH_NULL_SHA384", KeyExchange::kRsaPsk, Authentication::kRsa, "NULL", CipherClass::kNull, false},
    {0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::kRsa, Authentication::kRsa, "CAMELLIA_128_CBC", CipherClass::kCbc, false},
    {0x00BB, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::kDh, Authentication::kDss, "CAMELLIA_128_CBC", CipherClass::kCbc, false},
    {0x00BC, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::kDh, Authentication::kRsa, "CAMELLIA_128_CBC", CipherClass::kCbc, false},
    {0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::kDhe, Authentication::kDss, "CAMELLIA_128_CBC", CipherClass::kCbc, true},
    {0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::kDhe, Authentication::kRsa, "CAMELLIA_128_CBC", CipherClass::kCbc, true},
    {0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::kDhe, Authentication::kAnon, "CAMELLIA_128_CBC", CipherClass::kCbc, true},
    {0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", KeyExchange::kRsa, Authentication::kRsa, "CAMELLIA_256_CBC", CipherClass::kCbc, false},
    {0x00C1, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256", KeyExchange::kDh, Authentication::kDss, "CAMELLIA_256_CBC", CipherClass::kCbc, false},
    {0x00C2, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256", KeyExchange::kDh, Authentication::kRsa, "CAMELLIA_256_CBC", CipherClass::kCbc, false},
    {0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", KeyExchange::kDhe, Authentication::kDss, "CAMELLIA_256_CBC", CipherClass::kCbc, true},
    {0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", KeyExchange::kDhe, Authentication::kRsa, "CAMELLIA_256_CBC", CipherClass::kCbc, true},
    {0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", KeyExchange::kDhe, Authentication::kAnon, "CAMELLIA_256_CBC", CipherClass::kCbc, true},
    {0x00C6, "TLS_SM4_GCM_SM3", KeyExchange::kAny, Authentication::kAny, "SM4_GCM", CipherClass::kAead, true},
    {0x00C7, "TLS_SM4_CCM_SM3", KeyExchange::kAny, Authentication::kAny, "SM4_CCM", CipherClass::kAead, true},
    {0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", KeyExchange::kSignaling, Authentication::kNone, "NULL", CipherClass::kSignaling, false},
    {0x1301, "TLS_AES_128_GCM_SHA256", KeyExchange::kAny, Authentication::kAny, "AES_128_GCM", CipherClass::kAead, true},
    {0x1302, "TLS_AES_256_GCM_SHA384", KeyExchange::kAny, Authentication::kAny, "AES_256_GCM", CipherClass::kAead, true},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", KeyExchange::kAny, Authentication::kAny, "CHACHA20_POLY1305", CipherClass::kAead, true},
    {0x1304, "TLS_AES_128_CCM_SHA256", KeyExchange::kAny, Authentication::kAny, "AES_128_CCM", CipherClass::kAead, true},
    {0x1305, "TLS_AES_128_CCM_8_SHA256", KeyExchange::kAny, Authentication::kAny, "AES_128_CCM_8", CipherClass::kAead, true},
    {0x5600, "TLS_FALLBACK_SCSV", KeyExchange::kSignaling, Authentication::kNone, "NULL", CipherClass::kSignaling, false},
    {0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA", KeyExchange::kEcdh, Authentication::kEcdsa, "NULL", CipherClass::kNull, false},
    {0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", KeyExchange::kEcdh, Authentication::kEcdsa, "RC4_128", CipherClass::kRc4, false},
    {0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", KeyExchange::kEcdh, Authentication::kEcdsa, "3DES_EDE_CBC", CipherClass::k3des, false},
    {0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", KeyExchange::kEcdh, Authentication::kEcdsa, "AES_128_CBC", CipherClass::kCbc, false},
    {0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", KeyExchange::kEcdh, Authentication::kEcdsa, "AES_256_CBC", CipherClass::kCbc, false},
    {0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", KeyExchange::kEcdhe, Authentication::kEcdsa, "NULL", CipherClass::kNull, true},
    {0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", KeyExchange::kEcdhe, Authentication::kEcdsa, "RC4_128", CipherClass::kRc4, true},
    {0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", KeyExchange::kEcdhe, Authentication::kEcdsa, "3DES_EDE_CBC", CipherClass::k3des, true},
    {0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", KeyExchange::kEcdhe, Authentication::kEcdsa, "AES_128_CBC", CipherClass::kCbc, true},
    {0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", KeyExchange::kEcdhe, Authentication::kEcdsa, "AES_256_CBC", CipherClass::kCbc, true},
    {0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA", KeyExchange::kEcdh, Authentication::kRsa, "NULL", CipherClass::kNull, false},
    {0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA", KeyExchange::kEcdh, Authentication::kRsa, "RC4_128", CipherClass::kRc4, false},
    {0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", KeyExchange::kEcdh, Authentication::kRsa, "3DES_EDE_CBC", CipherClass::k3des, false},
    {0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", KeyExchange::kEcdh, Authentication::kRsa, "AES_128_CBC", CipherClass::kCbc, false},
    {0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", KeyExchange::kEcdh, Authentication::kRsa, "AES_256_CBC", CipherClass::kCbc, false},
    {0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA", KeyExchange::kEcdhe, Authentication::kRsa, "NULL", CipherClass::kNull, true},
    {0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", KeyExchange::kEcdhe, Authentication::kRsa, "RC4_128", CipherClass::kRc4, true},
    {0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", KeyExchange::kEcdhe, Authentication::kRsa, "3DES_EDE_CBC", CipherClass::k3des, true},
    {0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", KeyExchange::kEcdhe, Authentication::kRsa, "AES_128_CBC", CipherClass::kCbc, true},
    {0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", KeyExchange::kEcdhe, Authentication::kRsa, "AES_256_CBC", CipherClass::kCbc, true},
    {0xC015, "TLS_ECDH_anon_WITH_NULL_SHA", KeyExchange::kEcdhe, Authentication::kAnon, "NULL", CipherClass::kNull, true},
    {0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA", KeyExchange::kEcdhe, Authentication::kAnon, "RC4_128", CipherClass::kRc4, true},
    {0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", KeyExchange::kEcdhe, Authentication::kAnon, "3DES_EDE_CBC", CipherClass::k3des, true},
    {0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", KeyExchange::kEcdhe, Authentication::kAnon, "AES_128_CBC", CipherClass::kCbc, true},
    {0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", KeyExchange::kEcdhe, Authentication::kAnon, "AES_256_CBC", CipherClass::kCbc, true},
    {0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA", KeyExchange::kSrp, Authentication::kSrp, "3DES_EDE_CBC", CipherClass::k3des, true},
    {0xC01B, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA", KeyExchange::kSrp, Authentication::kRsa, "3DES_EDE_CBC", CipherClass::k3des, true},
    {0xC01C, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA", KeyExchange::kSrp, Authentication::kDss, "3DES_EDE_CBC", CipherClass::k3des, true},
    {0xC01D, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA", KeyExchange::kSrp, Authentication::kSrp, "AES_128_CBC", CipherClass::kCbc, true},
    {0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", KeyExchange::kSrp, Authentication::kRsa, "AES_128_CBC", CipherClass::kCbc, true},
    {0xC01F, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA", KeyExchange::kSrp, Authentication::kDss, "AES_128_CBC", CipherClass::kCbc, true},
    {0xC020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA", KeyExchange::kSrp, Authentication::kSrp, "AES_256_CBC", CipherClass::kCbc, true},
    {0xC021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA", KeyExchange::kSrp, Authentication::kRsa, "AES_256_CBC", CipherClass::kCbc, true},
    {0xC022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA", KeyExchange::kSrp, Authentication::kDss, "AES_256_CBC", CipherClass::kCbc, true},
    {0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", KeyExchange::kEcdhe, Authentication::kEcdsa, "AES_128_CBC", CipherClass::kCbc, true},
    {0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", KeyExchange::kEcdhe, Authentication::kEcdsa, "AES_256_CBC", CipherClass::kCbc, true},
    {0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", KeyExchange::kEcdh, Authentication::kEcdsa, "AES_128_CBC", CipherClass::kCbc, false},
    {0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", KeyExchange::kEcdh, Authentication::kEcdsa, "AES_256_CBC", CipherClass::kCbc, false},
    {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", KeyExchange::kEcdhe, Authentication::kRsa, "AES_128_CBC", CipherClass::kCbc, true},
    {0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", KeyExchange::kEcdhe, Authentication::kRsa, "AES_256_CBC", CipherClass::kCbc, true},
    {0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", KeyExchange::kEcdh, Authentication::kRsa, "AES_128_CBC", CipherClass::kCbc, false},
    {0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", KeyExchange::kEcdh, Authentication::kRsa, "AES_256_CBC", CipherClass::kCbc, false},
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", KeyExchange::kEcdhe, Authentication::kEcdsa, "AES_128_GCM", CipherClass::kAead, true},
    {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", KeyExchange::kEcdhe, Authentication::kEcdsa, "AES_256_GCM", CipherClass::kAead, true},
    {0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", KeyExchange::kEcdh, Authentication::kEcdsa, "AES_128_GCM", CipherClass::kAead, false},
    {0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", KeyExchange::kEcdh, Authentication::kEcdsa, "AES_256_GCM", CipherClass::kAead, false},
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", KeyExchange::kEcdhe, Authentication::kRsa, "AES_128_GCM", CipherClass::kAead, true},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", KeyExchange::kEcdhe, Authentication::kRsa, "AES_256_GCM", CipherClass::kAead, true},
    {0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", KeyExchange::kEcdh, Authentication::kRsa, "AES_128_GCM", CipherClass::kAead, false},
    {0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", KeyExchange::kEcdh, Authentication::kRsa, "AES_256_GCM", CipherClass::kAead, false},
    {0xC033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA", KeyExchange::kEcdhePsk, Authentication::kPsk, "RC4_128", CipherClass::kRc4, true},
    {0xC034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA", KeyExchange::kEcdhePsk, Authentication::kPsk, "3DES_EDE_CBC", CipherClass::k3des, true},
    {0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", KeyExchange::kEcdhePsk, Authentication::kPsk, "AES_128_CBC", CipherClass::kCbc, true},
    {0xC036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", KeyExchange::kEcdhePsk, Authentication::kPsk, "AES_256_CBC", CipherClass::kCbc, true},
    {0xC037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256", KeyExchange::kEcdhePsk, Authentication::kPsk, "AES_128_CBC", CipherClass::kCbc, true},
    {0xC038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384", KeyExchange::kEcdhePsk, Authentication::kPsk, "AES_256_CBC", CipherClass::kCbc, true},
    {0xC039, "TLS_ECDHE_PSK_WITH_NULL_SHA", KeyExchange::kEcdhePsk, Authentication::kPsk, "NULL", CipherClass::kNull, true},
    {0xC03A, "TLS_ECDHE_PSK_WITH_NULL_SHA256", KeyExchange::kEcdhePsk, Authentication::kPsk, "NULL", CipherClass::kNull, true},
    {0xC03B, "TLS_ECDHE_PSK_WITH_NULL_SHA384", KeyExchange::kEcdhePsk, Authentication::kPsk, "NULL", CipherClass::kNull, true},
    {0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256", KeyExchange::kRsa, Authentication::kRsa, "ARIA_128_CBC", CipherClass::kCbc, false},
    {0xC03D, "TLS_RSA_WITH_ARIA_256_CBC_SHA384", KeyExchange::kRsa, Authentication::kRsa, "ARIA_256_CBC", CipherClass::kCbc, false},
    {0xC03E, "TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256", KeyExchange::kDh, Authentication::kDss, "ARIA_128_CBC", CipherClass::kCbc, false},
    {0xC03F, "TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384", KeyExchange::kDh, Authentication::kDss, "ARIA_256_CBC", CipherClass::kCbc, false},
    {0xC040, "TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256", KeyExchange::kDh, Authentication::kRsa, "ARIA_128_CBC", CipherClass::kCbc, false},
    {0xC041, "TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384", KeyExchange::kDh, Authentication::kRsa, "ARIA_256_CBC", CipherClass::kCbc, false},
    {0xC042, "TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256", KeyExchange::kDhe, Authentication::kDss, "ARIA_128_CBC", CipherClass::kCbc, true},
    {0xC043, "TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384", KeyExchange::kDhe, Authentication::kDss, "ARIA_256_CBC", CipherClass::kCbc, true},
    {0xC044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256", KeyExchange::kDhe, Authentication::kRsa, "ARIA_128_CBC", CipherClass::kCbc, true},
    {0xC045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384", KeyExchange::kDhe, Authentication::kRsa, "ARIA_256_CBC", CipherClass::kCbc, true},
    {0xC046, "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256", KeyExchange::kDhe, Authentication::kAnon, "ARIA_128_CBC", CipherClass::kCbc, true},
    {0xC047, "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384", KeyExchange::kDhe, Authentication::kAnon, "ARIA_256_CBC", CipherClass::kCbc, true},
    {0xC048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256", KeyExchange::kEcdhe, Authentication::kEcdsa, "ARIA_128_CBC", CipherClass::kCbc, true},
    {0xC049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384", KeyExchange::kEcdhe, Authentication::kEcdsa, "ARIA_256_CBC", CipherClass::kCbc, true},
    {0xC04A, "TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256", KeyExchange::kEcdh, Authentication::kEcdsa, "ARIA_128_CBC", CipherClass::kCbc, false},
    {0xC04B, "TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384", KeyExchange::kEcdh, Authentication::kEcdsa, "ARIA_256_CBC", CipherClass::kCbc, false},
    {0xC04C, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256", KeyExchange::kEcdhe, Authentication::kRsa, "ARIA_128_CBC", CipherClass::kCbc, true},
    {0xC04D, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384", KeyExchange::kEcdhe, Authentication::kRsa, "ARIA_256_CBC", CipherClass::kCbc, true},
    {0xC04E, "TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256", KeyExchange::kEcdh, Authentication::kRsa, "ARIA_128_CBC", CipherClass::kCbc, false},
    {0xC04F, "TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384", KeyExchange::kEcdh, Authentication::kRsa, "ARIA_256_CBC", CipherClass::kCbc, false},
    {0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", KeyExchange::kRsa, Authentication::kRsa, "ARIA_128_GCM", CipherClass::kAead, false},
    {0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", KeyExchange::kRsa, Authentication::kRsa, "ARIA_256_GCM", CipherClass::kAead, false},
    {0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", KeyExchange::kDhe, Authentication::kRsa, "ARIA_128_GCM", CipherClass::kAead, true},
    {0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", KeyExchange::kDhe, Authentication::kRsa, "ARIA_256_GCM", CipherClass::kAead, true},
    {0xC054, "TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256", KeyExchange::kDh, Authentication::kRsa, "ARIA_128_GCM", CipherClass::kAead, false},
    {0xC055, "TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384", KeyExchange::kDh, Authentication::kRsa, "ARIA_256_GCM", CipherClass::kAead, false},
    {0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256", KeyExchange::kDhe, Authentication::kDss, "ARIA_128_GCM", CipherClass::kAead, true},
    {0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384", KeyExchange::kDhe, Authentication::kDss, "ARIA_256_GCM", CipherClass::kAead, true},
    {0xC058, "TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256", KeyExchange::kDh, Authentication::kDss, "ARIA_128_GCM", CipherClass::kAead, false},
    {0xC059, "TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384", KeyExchange::kDh, Authentication::kDss, "ARIA_256_GCM", CipherClass::kAead, false},
    {0xC05A, "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256", KeyExchange::kDhe, Authentication::kAnon, "ARIA_128_GCM", CipherClass::kAead, true},
    {0xC05B, "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384", KeyExchange::kDhe, Authentication::kAnon, "ARIA_256_GCM", CipherClass::kAead, true},
    {0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", KeyExchange::kEcdhe, Authentication::kEcdsa, "ARIA_128_GCM", CipherClass::kAead, true},
    {0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", KeyExchange::kEcdhe, Authentication::kEcdsa, "ARIA_256_GCM", CipherClass::kAead, true},
    {0xC05E, "TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256", KeyExchange::kEcdh, Authentication::kEcdsa, "ARIA_128_GCM", CipherClass::kAead, false},
    {0xC05F, "TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384", KeyExchange::kEcdh, Authentication::kEcdsa, "ARIA_256_GCM", CipherClass::kAead, false},
    {0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", KeyExchange::kEcdhe, Authentication::kRsa, "ARIA_128_GCM", CipherClass::kAead, true},
    {0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", KeyExchange::kEcdhe, Authentication::kRsa, "ARIA_256_GCM", CipherClass::kAead, true},
    {0xC062, "TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256", KeyExchange::kEcdh, Authentication::kRsa, "ARIA_128_GCM", CipherClass::kAead, false},
    {0xC063, "TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384", KeyExchange::kEcdh, Authentication::kRsa, "ARIA_256_GCM", CipherClass::kAead, false},
    {0xC064, "TLS_PSK_WITH_ARIA_128_CBC_SHA256", KeyExchange::kPsk, Authentication::kPsk, "ARIA_128_CBC", CipherClass::kCbc, false},
    {0xC065, "TLS_PSK_WITH_ARIA_256_CBC_SHA384", KeyExchange::kPsk, Authentication::kPsk, "ARIA_256_CBC", CipherClass::kCbc, false},
    {0xC066, "TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256", KeyExchange::kDhePsk, Authentication::kPsk, "ARIA_128_CBC", CipherClass::kCbc, true},
    {0xC067, "TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384", KeyExchange::kDhePsk, Authentication::kPsk, "ARIA_256_CBC", CipherClass::kCbc, true},
    {0xC068, "TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256", KeyExchange::kRsaPsk, Authentication::kRsa, "ARIA_128_CBC", CipherClass::kCbc, false},
    {0xC069, "TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384", KeyExchange::kRsaPsk, Authentication::kRsa, "ARIA_256_CBC", CipherClass::kCbc, false},
    {0xC06A, "TLS_PSK_WITH_ARIA_128_GCM_SHA256", KeyExchange::kPsk, Authentication::kPsk, "ARIA_128_GCM", CipherClass::kAead, false},
    {0xC06B, "TLS_PSK_WITH_ARIA_256_GCM_SHA384", KeyExchange::kPsk, Authentication::kPsk, "ARIA_256_GCM", CipherClass::kAead, false},
    {0xC06C, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256", KeyExchange::kDhePsk, Authentication::kPsk, "ARIA_128_GCM", CipherClass::kAead, true},
    {0xC06D, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384", KeyExchange::kDhePsk, Authentication::kPsk, "ARIA_256_GCM", CipherClass::kAead, true},
    {0xC06E, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256", KeyExchange::kRsaPsk, Authentication::kRsa, "ARIA_128_GCM", CipherClass::kAead, false},
    {0xC06F, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384", KeyExchange::kRsaPsk, Authentication::kRsa, "ARIA_256_GCM", CipherClass::kAead, false},
    {0xC070, "TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256", KeyExchange::kEcdhePsk, Authentication::kPsk, "ARIA_128_CBC", CipherClass::kCbc, true},
    {0xC071, "TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384", KeyExchange::kEcdhePsk, Authentication::kPsk, "ARIA_256_CBC", CipherClass::kCbc, true},
    {0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::kEcdhe, Authentication::kEcdsa, "CAMELLIA_128_CBC", CipherClass::kCbc, true},
    {0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", KeyExchange::kEcdhe, Authentication::kEcdsa, "CAMELLIA_256_CBC", CipherClass::kCbc, true},
    {0xC074, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::kEcdh, Authentication::kEcdsa, "CAMELLIA_128_CBC", CipherClass::kCbc, false},
    {0xC075, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", KeyExchange::kEcdh, Authentication::kEcdsa, "CAMELLIA_256_CBC", CipherClass::kCbc, false},
    {0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::kEcdhe, Authentication::kRsa, "CAMELLIA_128_CBC", CipherClass::kCbc, true},
    {0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", KeyExchange::kEcdhe, Authentication::kRsa, "CAMELLIA_256_CBC", CipherClass::kCbc, true},
    {0xC078, "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::kEcdh, Authentication::kRsa, "CAMELLIA_128_CBC", CipherClass::kCbc, false},
    {0xC079, "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384", KeyExchange::kEcdh, Authentication::kRsa, "CAMELLIA_256_CBC", CipherClass::kCbc, false},
    {0xC07A, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", KeyExchange::kRsa, Authentication::kRsa, "CAMELLIA_128_GCM", CipherClass::kAead, false},
    {0xC07B, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384", KeyExchange::kRsa, Authentication::kRsa, "CAMELLIA_256_GCM", CipherClass::kAead, false},
    {0xC07C, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", KeyExchange::kDhe, Authentication::kRsa, "CAMELLIA_128_GCM", CipherClass::kAead, true},
    {0xC07D, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", KeyExchange::kDhe, Authentication::kRsa, "CAMELLIA_256_GCM", CipherClass::kAead, true},
    {0xC07E, "TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256", KeyExchange::kDh, Authentication::kRsa, "CAMELLIA_128_GCM", CipherClass::kAead, false},
    {0xC07F, "TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384", KeyExchange::kDh, Authentication::kRsa, "CAMELLIA_256_GCM", CipherClass::kAead, false},
    {0xC080, "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256", KeyExchange::kDhe, Authentication::kDss, "CAMELLIA_128_GCM", CipherClass::kAead, true},
    {0xC081, "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384", KeyExchange::kDhe, Authentication::kDss, "CAMELLIA_256_GCM", CipherClass::kAead, true},
    {0xC082, "TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256", KeyExchange::kDh, Authentication::kDss, "CAMELLIA_128_GCM", CipherClass::kAead, false},
    {0xC083, "TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384", KeyExchange::kDh, Authentication::kDss, "CAMELLIA_256_GCM", CipherClass::kAead, false},
    {0xC084, "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256", KeyExchange::kDhe, Authentication::kAnon, "CAMELLIA_128_GCM", CipherClass::kAead, true},
    {0xC085, "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384", KeyExchange::kDhe, Authentication::kAnon, "CAMELLIA_256_GCM", CipherClass::kAead, true},
    {0xC086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", KeyExchange::kEcdhe, Authentication::kEcdsa, "CAMELLIA_128_GCM", CipherClass::kAead, true},
    {0xC087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", KeyExchange::kEcdhe, Authentication::kEcdsa, "CAMELLIA_256_GCM", CipherClass::kAead, true},
    {0xC088, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", KeyExchange::kEcdh, Authentication::kEcdsa, "CAMELLIA_128_GCM", CipherClass::kAead, false},
    {0xC089, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", KeyExchange::kEcdh, Authentication::kEcdsa, "CAMELLIA_256_GCM", CipherClass::kAead, false},
    {0xC08A, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", KeyExchange::kEcdhe, Authentication::kRsa, "CAMELLIA_128_GCM", CipherClass::kAead, true},
    {0xC08B, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", KeyExchange::kEcdhe, Authentication::kRsa, "CAMELLIA_256_GCM", CipherClass::kAead, true},
    {0xC08C, "TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256", KeyExchange::kEcdh, Authentication::kRsa, "CAMELLIA_128_GCM", CipherClass::kAead, false},
    {0xC08D, "TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384", KeyExchange::kEcdh, Authentication::kRsa, "CAMELLIA_256_GCM", CipherClass::kAead, false},
    {0xC08E, "TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256", KeyExchange::kPsk, Authentication::kPsk, "CAMELLIA_128_GCM", CipherClass::kAead, false},
    {0xC08F, "TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384", KeyExchange::kPsk, Authentication::kPsk, "CAMELLIA_256_GCM", CipherClass::kAead, false},
    {0xC090, "TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256", KeyExchange::kDhePsk, Authentication::kPsk, "CAMELLIA_128_GCM", CipherClass::kAead, true},
    {0xC091, "TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384", KeyExchange::kDhePsk, Authentication::kPsk, "CAMELLIA_256_GCM", CipherClass::kAead, true},
    {0xC092, "TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256", KeyExchange::kRsaPsk, Authentication::kRsa, "CAMELLIA_128_GCM", CipherClass::kAead, false},
    {0xC093, "TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384", KeyExchange::kRsaPsk, Authentication::kRsa, "CAMELLIA_256_GCM", CipherClass::kAead, false},
    {0xC094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::kPsk, Authentication::kPsk, "CAMELLIA_128_CBC", CipherClass::kCbc, false},
    {0xC095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384", KeyExchange::kPsk, Authentication::kPsk, "CAMELLIA_256_CBC", CipherClass::kCbc, false},
    {0xC096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::kDhePsk, Authentication::kPsk, "CAMELLIA_128_CBC", CipherClass::kCbc, true},
    {0xC097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", KeyExchange::kDhePsk, Authentication::kPsk, "CAMELLIA_256_CBC", CipherClass::kCbc, true},
    {0xC098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::kRsaPsk, Authentication::kRsa, "CAMELLIA_128_CBC", CipherClass::kCbc, false},
    {0xC099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384", KeyExchange::kRsaPsk, Authentication::kRsa, "CAMELLIA_256_CBC", CipherClass::kCbc, false},
    {0xC09A, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::kEcdhePsk, Authentication::kPsk, "CAMELLIA_128_CBC", CipherClass::kCbc, true},
    {0xC09B, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", KeyExchange::kEcdhePsk, Authentication::kPsk, "CAMELLIA_256_CBC", CipherClass::kCbc, true},
    {0xC09C, "TLS_RSA_WITH_AES_128_CCM", KeyExchange::kRsa, Authentication::kRsa, "AES_128_CCM", CipherClass::kAead, false},
    {0xC09D, "TLS_RSA_WITH_AES_256_CCM", KeyExchange::kRsa, Authentication::kRsa, "AES_256_CCM", CipherClass::kAead, false},
    {0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM", KeyExchange::kDhe, Authentication::kRsa, "AES_128_CCM", CipherClass::kAead, true},
    {0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM", KeyExchange::kDhe, Authentication::kRsa, "AES_256_CCM", CipherClass::kAead, true},
    {0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", KeyExchange::kRsa, Authentication::kRsa, "AES_128_CCM_8", CipherClass::kAead, false},
    {0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", KeyExchange::kRsa, Authentication::kRsa, "AES_256_CCM_8", CipherClass::kAead, false},
    {0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", KeyExchange::kDhe, Authentication::kRsa, "AES_128_CCM_8", CipherClass::kAead, true},
    {0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", KeyExchange::kDhe, Authentication::kRsa, "AES_256_CCM_8", CipherClass::kAead, true},
    {0xC0A4, "TLS_PSK_WITH_AES_128_CCM", KeyExchange::kPsk, Authentication::kPsk, "AES_128_CCM", CipherClass::kAead, false},
    {0xC0A5, "TLS_PSK_WITH_AES_256_CCM", KeyExchange::kPsk, Authentication::kPsk, "AES_256_CCM", CipherClass::kAead, false},
    {0xC0A6, "TLS_DHE_PSK_WITH_AES_128_CCM", KeyExchange::kDhePsk, Authentication::kPsk, "AES_128_CCM", CipherClass::kAead, true},
    {0xC0A7, "TLS_DHE_PSK_WITH_AES_256_CCM", KeyExchange::kDhePsk, Authentication::kPsk, "AES_256_CCM", CipherClass::kAead, true},
    {0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8", KeyExchange::kPsk, Authentication::kPsk, "AES_128_CCM_8", CipherClass::kAead, false},
    {0xC0A9, "TLS_PSK_WITH_AES_256_CCM_8", KeyExchange::kPsk, Authentication::kPsk, "AES_256_CCM_8", CipherClass::kAead, false},
    {0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8", KeyExchange::kDhePsk, Authentication::kPsk, "AES_128_CCM_8", CipherClass::kAead, true},
    {0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8", KeyExchange::kDhePsk, Authentication::kPsk, "AES_256_CCM_8", CipherClass::kAead, true},
    {0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", KeyExchange::kEcdhe, Authentication::kEcdsa, "AES_128_CCM", CipherClass::kAead, true},
    {0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", KeyExchange::kEcdhe, Authentication::kEcdsa, "AES_256_CCM", CipherClass::kAead, true},
    {0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", KeyExchange::kEcdhe, Authentication::kEcdsa, "AES_128_CCM_8", CipherClass::kAead, true},
    {0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", KeyExchange::kEcdhe, Authentication::kEcdsa, "AES_256_CCM_8", CipherClass::kAead, true},
    {0xC0B0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256", KeyExchange::kEccpwd, Authentication::kEccpwd, "AES_128_GCM", CipherClass::kAead, true},
    {0xC0B1, "TLS_ECCPWD_WITH_AES_256_GCM_SHA384", KeyExchange::kEccpwd, Authentication::kEccpwd, "AES_256_GCM", CipherClass::kAead, true},
    {0xC0B2, "TLS_ECCPWD_WITH_AES_128_CCM_SHA256", KeyExchange::kEccpwd, Authentication::kEccpwd, "AES_128_CCM", CipherClass::kAead, true},
    {0xC0B3, "TLS_ECCPWD_WITH_AES_256_CCM_SHA384", KeyExchange::kEccpwd, Authentication::kEccpwd, "AES_256_CCM", CipherClass::kAead, true},
    {0xC0B4, "TLS_SHA256_SHA256", KeyExchange::kAny, Authentication::kAny, "NULL", CipherClass::kNull, true},
    {0xC0B5, "TLS_SHA384_SHA384", KeyExchange::kAny, Authentication::kAny, "NULL", CipherClass::kNull, true},
    {0xC100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC", KeyExchange::kGost, Authentication::kGost, "KUZNYECHIK_CTR_OMAC", CipherClass::kOther, false},
    {0xC101, "TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC", KeyExchange::kGost, Authentication::kGost, "MAGMA_CTR_OMAC", CipherClass::kOther, false},
    {0xC102, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT", KeyExchange::kGost, Authentication::kGost, "28147_CNT_IMIT", CipherClass::kOther, false},
    {0xC103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L", KeyExchange::kAny, Authentication::kAny, "KUZNYECHIK_MGM_L", CipherClass::kAead, true},
    {0xC104, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_L", KeyExchange::kAny, Authentication::kAny, "MAGMA_MGM_L", CipherClass::kAead, true},
    {0xC105, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_S", KeyExchange::kAny, Authentication::kAny, "KUZNYECHIK_MGM_S", CipherClass::kAead, true},
    {0xC106, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S", KeyExchange::kAny, Authentication::kAny, "MAGMA_MGM_S", CipherClass::kAead, true},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", KeyExchange::kEcdhe, Authentication::kRsa, "CHACHA20_POLY1305", CipherClass::kAead, true},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", KeyExchange::kEcdhe, Authentication::kEcdsa, "CHACHA20_POLY1305", CipherClass::kAead, true},
    {0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", KeyExchange::kDhe, Authentication::kRsa, "CHACHA20_POLY1305", CipherClass::kAead, true},
    {0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", KeyExchange::kPsk, Authentication::kPsk, "CHACHA20_POLY1305", CipherClass::kAead, false},
    {0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", KeyExchange::kEcdhePsk, Authentication::kPsk, "CHACHA20_POLY1305", CipherClass::kAead, true},
    {0xCCAD, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256", KeyExchange::kDhePsk, Authentication::kPsk, "CHACHA20_POLY1305", CipherClass::kAead, true},
    {0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256", KeyExchange::kRsaPsk, Authentication::kRsa, "CHACHA20_POLY1305", CipherClass::kAead, false},
    {0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", KeyExchange::kEcdhePsk, Authentication::kPsk, "AES_128_GCM", CipherClass::kAead, true},
    {0xD002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384", KeyExchange::kEcdhePsk, Authentication::kPsk, "AES_256_GCM", CipherClass::kAead, true},
    {0xD003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256", KeyExchange::kEcdhePsk, Authentication::kPsk, "AES_128_CCM_8", CipherClass::kAead, true},
    {0xD005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256", KeyExchange::kEcdhePsk, Authentication::kPsk, "AES_128_CCM", CipherClass::kAead, true},
};

template <typename Row>
constexpr bool SortedById(std::span<const Row> rows) {
  for (size_t i = 1; i < rows.size(); ++i) {
    if (rows[i - 1].id >= rows[i].id) return false;
  }
  return true;
}
static_assert(SortedById(std::span<const CipherSuiteInfo>(kCipherSuites)),
              "kCipherSuites must be sorted by id");

constexpr size_t CountSelectable() {
  size_t n = 0;
  for (const CipherSuiteInfo& s : kCipherSuites) {
    if (s.key_exchange != KeyExchange::kSignaling) ++n;
  }
  return n;
}

constexpr auto MakeSelectable() {
  std::array<uint16_t, CountSelectable()> ids{};
  size_t n = 0;
  for (const CipherSuiteInfo& s : kCipherSuites) {
    if (s.key_exchange != KeyExchange::kSignaling) ids[n++] = s.id;
  }
  return ids;
}
constexpr auto kSelectable = MakeSelectable();

// TLS Supported Groups registry (RFC 8422, 7919, 8446 and later), sorted by
// id. `bits`: the curve's field size or the prime's size; 0 for the ML-KEM
// groups and hybrids and the explicit-curve markers, which have none.
constexpr NamedGroupInfo kNamedGroups[] = {
    {1, "sect163k1", 163},        {2, "sect163r1", 163},
    {3, "sect163r2", 163},        {4, "sect193r1", 193},
    {5, "sect193r2", 193},        {6, "sect233k1", 233},
    {7, "sect233r1", 233},        {8, "sect239k1", 239},
    {9, "sect283k1", 283},        {10, "sect283r1", 283},
    {11, "sect409k1", 409},       {12, "sect409r1", 409},
    {13, "sect571k1", 571},       {14, "sect571r1", 571},
    {15, "secp160k1", 160},       {16, "secp160r1", 160},
    {17, "secp160r2", 160},       {18, "secp192k1", 192},
    {19, "secp192r1", 192},       {20, "secp224k1", 224},
    {21, "secp224r1", 224},       {22, "secp256k1", 256},
    {23, "secp256r1", 256},       {24, "secp384r1", 384},
    {25, "secp521r1", 521},       {26, "brainpoolP256r1", 256},
    {27, "brainpoolP384r1", 384}, {28, "brainpoolP512r1", 512},
    {29, "x25519", 255},          {30, "x448", 448},
    {31, "brainpoolP256r1tls13", 256},
    {32, "brainpoolP384r1tls13", 384},
    {33, "brainpoolP512r1tls13", 512},
    {34, "GC256A", 256},          {35, "GC256B", 256},
    {36, "GC256C", 256},          {37, "GC256D", 256},
    {38, "GC512A", 512},          {39, "GC512B", 512},
    {40, "GC512C", 512},          {41, "curveSM2", 256},
    {256, "ffdhe2048", 2048},     {257, "ffdhe3072", 3072},
    {258, "ffdhe4096", 4096},     {259, "ffdhe6144", 6144},
    {260, "ffdhe8192", 8192},     {512, "MLKEM512", 0},
    {513, "MLKEM768", 0},         {514, "MLKEM1024", 0},
    {4587, "SecP256r1MLKEM768", 0},
    {4588, "X25519MLKEM768", 0},  {4589, "SecP384r1MLKEM1024", 0},
    {0xFF01, "arbitrary_explicit_prime_curves", 0},
    {0xFF02, "arbitrary_explicit_char2_curves", 0},
};

// TLS SignatureScheme registry (RFC 8446 4.2.3) plus the RFC 5246 7.4.1.4.1
// (hash, signature) pairs that TLS 1.2 clients of 2015 still sent, sorted.
constexpr SignatureSchemeInfo kSignatureSchemes[] = {
    {0x0101, "rsa_md5"},
    {0x0102, "dsa_md5"},
    {0x0103, "ecdsa_md5"},
    {0x0201, "rsa_pkcs1_sha1"},
    {0x0202, "dsa_sha1"},
    {0x0203, "ecdsa_sha1"},
    {0x0301, "rsa_sha224"},
    {0x0302, "dsa_sha224"},
    {0x0303, "ecdsa_sha224"},
    {0x0401, "rsa_pkcs1_sha256"},
    {0x0402, "dsa_sha256"},
    {0x0403, "ecdsa_secp256r1_sha256"},
    {0x0501, "rsa_pkcs1_sha384"},
    {0x0502, "dsa_sha384"},
    {0x0503, "ecdsa_secp384r1_sha384"},
    {0x0601, "rsa_pkcs1_sha512"},
    {0x0602, "dsa_sha512"},
    {0x0603, "ecdsa_secp521r1_sha512"},
    {0x0804, "rsa_pss_rsae_sha256"},
    {0x0805, "rsa_pss_rsae_sha384"},
    {0x0806, "rsa_pss_rsae_sha512"},
    {0x0807, "ed25519"},
    {0x0808, "ed448"},
    {0x0809, "rsa_pss_pss_sha256"},
    {0x080A, "rsa_pss_pss_sha384"},
    {0x080B, "rsa_pss_pss_sha512"},
    {0x081A, "ecdsa_brainpoolP256r1tls13_sha256"},
    {0x081B, "ecdsa_brainpoolP384r1tls13_sha384"},
    {0x081C, "ecdsa_brainpoolP512r1tls13_sha512"},
};

static_assert(SortedById(std::span<const NamedGroupInfo>(kNamedGroups)));
static_assert(
    SortedById(std::span<const SignatureSchemeInfo>(kSignatureSchemes)));

template <typename Row>
const Row* FindById(std::span<const Row> rows, uint16_t id) {
  auto it = std::lower_bound(
      rows.begin(), rows.end(), id,
      [](const Row& row, uint16_t key) { return row.id < key; });
  if (it == rows.end() || it->id != id) return nullptr;
  return &*it;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

template <typename Row>
std::optional<uint16_t> FindByName(std::span<const Row> rows,
                                   std::string_view name) {
  for (const Row& row : rows) {
    if (EqualsIgnoreCase(row.name, name)) return row.id;
  }
  return std::nullopt;
}

}  // namespace

const CipherSuiteInfo* FindCipherSuite(uint16_t id) {
  return FindById(std::span<const CipherSuiteInfo>(kCipherSuites), id);
}

std::span<const CipherSuiteInfo> AllCipherSuites() { return kCipherSuites; }

std::span<const uint16_t> SelectableCipherSuiteIds() { return kSelectable; }

std::string_view KeyExchangeName(KeyExchange kx) {
  switch (kx) {
    case KeyExchange::kNull: return "NULL";
    case KeyExchange::kRsa: return "RSA";
    case KeyExchange::kDh: return "DH";
    case KeyExchange::kDhe: return "DHE";
    case KeyExchange::kEcdh: return "ECDH";
    case KeyExchange::kEcdhe: return "ECDHE";
    case KeyExchange::kPsk: return "PSK";
    case KeyExchange::kDhePsk: return "DHE_PSK";
    case KeyExchange::kRsaPsk: return "RSA_PSK";
    case KeyExchange::kEcdhePsk: return "ECDHE_PSK";
    case KeyExchange::kKrb5: return "KRB5";
    case KeyExchange::kSrp: return "SRP";
    case KeyExchange::kEccpwd: return "ECCPWD";
    case KeyExchange::kGost: return "GOST";
    case KeyExchange::kAny: return "ANY";
    case KeyExchange::kSignaling: return "SCSV";
  }
  return "unknown";
}

std::string_view AuthenticationName(Authentication auth) {
  switch (auth) {
    case Authentication::kNone: return "NULL";
    case Authentication::kAnon: return "anon";
    case Authentication::kRsa: return "RSA";
    case Authentication::kDss: return "DSS";
    case Authentication::kEcdsa: return "ECDSA";
    case Authentication::kPsk: return "PSK";
    case Authentication::kKrb5: return "KRB5";
    case Authentication::kSrp: return "SRP";
    case Authentication::kEccpwd: return "ECCPWD";
    case Authentication::kGost: return "GOST";
    case Authentication::kAny: return "ANY";
  }
  return "unknown";
}

std::string_view CipherClassName(CipherClass c) {
  switch (c) {
    case CipherClass::kAead: return "AEAD";
    case CipherClass::kCbc: return "CBC";
    case CipherClass::kRc4: return "RC4";
    case CipherClass::k3des: return "3DES";
    case CipherClass::kNull: return "NULL";
    case CipherClass::kExport: return "EXPORT";
    case CipherClass::kOther: return "OTHER";
    case CipherClass::kSignaling: return "SCSV";
  }
  return "unknown";
}

const NamedGroupInfo* FindNamedGroup(uint16_t id) {
  return FindById(std::span<const NamedGroupInfo>(kNamedGroups), id);
}

std::optional<uint16_t> NamedGroupByName(std::string_view name) {
  return FindByName(std::span<const NamedGroupInfo>(kNamedGroups), name);
}

std::string_view IanaGroupName(std::string_view name) {
  // The other names of registered curves: ANSI X9.62's primeNNNv1 (OpenSSL's
  // short names) and FIPS 186's P-, K- and B- curves (OpenSSL's
  // EVP_PKEY_get_group_name accepts and may print them), after RFC 4492
  // Appendix A's table of equivalent curves.
  struct Alias {
    std::string_view name;
    uint16_t id;
  };
  static constexpr Alias kAliases[] = {
      {"prime192v1", 19}, {"prime256v1", 23}, {"P-192", 19}, {"P-224", 21},
      {"P-256", 23},      {"P-384", 24},      {"P-521", 25}, {"K-163", 1},
      {"B-163", 3},       {"K-233", 6},       {"B-233", 7},  {"K-283", 9},
      {"B-283", 10},      {"K-409", 11},      {"B-409", 12}, {"K-571", 13},
      {"B-571", 14},
  };
  std::optional<uint16_t> id = NamedGroupByName(name);
  if (!id) id = FindByName(std::span<const Alias>(kAliases), name);
  const NamedGroupInfo* group = id ? FindNamedGroup(*id) : nullptr;
  return group != nullptr ? group->name : name;
}

const SignatureSchemeInfo* FindSignatureScheme(uint16_t id) {
  return FindById(std::span<const SignatureSchemeInfo>(kSignatureSchemes), id);
}

std::optional<uint16_t> SignatureSchemeByName(std::string_view name) {
  return FindByName(std::span<const SignatureSchemeInfo>(kSignatureSchemes),
                    name);
}

}  // namespace tlsweep
