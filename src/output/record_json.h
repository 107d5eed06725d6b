// tlsweep's records as JSON, from the typed results of the stages before
// (scan/response_handler.h, grab/session.h, proto/module_result.h,
// tls/tls_result.h). The one place that gives the records their shape; the
// names are output/record_fields.h's and docs/schema/ describes every field.
//
// - the scan's answer: the `-O json` line and the "scan" object of a run
//   record (docs/schema/scan_result.schema.json);
// - the grab / run record (docs/schema/grab_record.schema.json):
//   {"ip", "port", "domain", "data": {<module>: {"status", "protocol",
//   "timestamp", "phase", "result": {...module result..., "tls": {...},
//   "raw_probes": [{...}, ...]},
//   "error"}}, "scan"}, or for an open port that was not grabbed
//   {"ip", "port", "scan", "not_grabbed"}.
#ifndef TLSWEEP_OUTPUT_RECORD_JSON_H_
#define TLSWEEP_OUTPUT_RECORD_JSON_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "grab/session.h"
#include "proto/module_result.h"
#include "scan/response_handler.h"

namespace tlsweep {

// Every field of one scan answer.
nlohmann::json ScanResultJson(const ScanResult& r);

// A module's "result" object (without "tls").
nlohmann::json ModuleResultJson(const ModuleResult& r);

// Adds a module's own fields (proto/module_result.h ModuleExtras) to its
// "result" object; the passive record shares them (output/passive_json.cc).
void AddModuleExtras(const ModuleExtras& extras, nlohmann::json* result);

// One raw probe's object in the record's "raw_probes" list.
nlohmann::json RawProbeJson(const RawProbeResult& probe);
// A suite enumeration's object, the record's "enumeration".
nlohmann::json EnumerationJson(const EnumerationResult& enumeration);

// The record of a finished grab, with the scan's answer under "scan" when
// there is one.
nlohmann::json GrabRecordJson(const GrabResult& grab, const std::optional<ScanResult>& scan);

// The same as one JSON line ending in '\n'; bytes that are not UTF-8 (none
// should be left) are replaced rather than thrown on.
std::string GrabRecordLine(const GrabResult& grab, const std::optional<ScanResult>& scan);

// The record line of an open port that was not grabbed: {"ip", "port",
// "scan", "not_grabbed": reason} (field::kNotGrabbedQueueFull, ...).
std::string NotGrabbedRecordLine(const ScanResult& scan, std::string_view reason);

}  // namespace tlsweep

#endif  // TLSWEEP_OUTPUT_RECORD_JSON_H_
