#include <csignal>

#include "drivers/cli/cli.hpp"

int main(int argc, char** argv) {
    // A child (restic, gpg) that dies must give EPIPE on our write, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    return bk::drivers::cli::run(argc, argv);
}
