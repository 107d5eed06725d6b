// `tlsweep passive`: capture files in, one record per observed mail
// connection out (passive/analyzer.h, output/passive_json.h).
#ifndef TLSWEEP_APP_PASSIVE_COMMAND_H_
#define TLSWEEP_APP_PASSIVE_COMMAND_H_

#include <string>
#include <vector>

#include "common/stop_token.h"

namespace tlsweep {

// Runs the command with its arguments (without "passive"). Returns the exit
// code: 0 done, 1 an input or output file failed (named on stderr), 2 a bad
// flag or no input.
int PassiveCommand(const std::vector<std::string>& args, StopToken& stop);

}  // namespace tlsweep

#endif  // TLSWEEP_APP_PASSIVE_COMMAND_H_
