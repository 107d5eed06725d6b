// The passive record: one JSON line per observed connection, from the
// analyzer's ConnectionRecord (passive/analyzer.h), with field names shared
// with the grab record where the meaning is the same (record_fields.h).
// docs/schema/passive_record.schema.json describes every field.
#ifndef TLSWEEP_OUTPUT_PASSIVE_JSON_H_
#define TLSWEEP_OUTPUT_PASSIVE_JSON_H_

#include <string>

#include <nlohmann/json.hpp>

#include "passive/analyzer.h"
#include "passive/anonymize.h"

namespace tlsweep {

// `pseudonyms` null: the client's address as captured.
nlohmann::json PassiveRecordJson(const ConnectionRecord& record,
                                 const ClientPseudonyms* pseudonyms);
std::string PassiveRecordLine(const ConnectionRecord& record,
                              const ClientPseudonyms* pseudonyms);

}  // namespace tlsweep

#endif  // TLSWEEP_OUTPUT_PASSIVE_JSON_H_
