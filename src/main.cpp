#include <csignal>
#include <exception>
#include <iostream>

#include "drivers/cli/cli.hpp"
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char** argv) {
    // A child (restic, gpg) that dies must give EPIPE on our write, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    // Descriptors 0-2 must be taken, so that no pipe of ours lands on them (CI has no stdin).
    for (int fd = 0; fd < 3; ++fd) {
        if (::fcntl(fd, F_GETFD) < 0) {
            ::open("/dev/null", O_RDWR);
        }
    }
    try {
        return bk::drivers::cli::run(argc, argv);
    } catch (const std::exception& e) {
        // A start-up error no command turned into its own message: one clear line.
        std::cerr << "backupctl: " << e.what() << "\n";
        return 1;
    }
}
