#pragma once

namespace bk::drivers::cli {

/// Parses the command line, runs the command and returns the process exit code
/// (0 ok, 1 failed, 2 lock held, 3 invalid config, 4 dry-run check failed, 5 partial).
int run(int argc, char** argv);

}  // namespace bk::drivers::cli
