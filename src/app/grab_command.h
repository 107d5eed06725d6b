// `tlsweep grab`: reads a host list (stdin or files), grabs every target on
// kernel sockets, writes JSON Lines records and a metadata JSON.
#ifndef TLSWEEP_APP_GRAB_COMMAND_H_
#define TLSWEEP_APP_GRAB_COMMAND_H_

#include <string>
#include <vector>

#include "common/stop_token.h"

namespace tlsweep {

// Runs the command with the arguments after "grab"; returns the exit code
// (0 ok, 1 run-time failure, 2 bad flags or files) after printing any error.
// Ctrl-C trips `stop`, installed here once the flags are parsed.
int GrabCommand(const std::vector<std::string>& args, StopToken& stop);

}  // namespace tlsweep

#endif  // TLSWEEP_APP_GRAB_COMMAND_H_
