// `tlsweep report`: result files in, the study's tables out (Markdown on
// stdout, CSV per table, an offline HTML page with charts).
#ifndef TLSWEEP_APP_REPORT_COMMAND_H_
#define TLSWEEP_APP_REPORT_COMMAND_H_

#include <string>
#include <vector>

namespace tlsweep {

// Runs the command with its arguments (without "report"). Returns the exit
// code: 0 done, 1 an input, metadata or output file failed (named on
// stderr), 2 a bad flag or no input.
int ReportCommand(const std::vector<std::string>& args);

}  // namespace tlsweep

#endif  // TLSWEEP_APP_REPORT_COMMAND_H_
