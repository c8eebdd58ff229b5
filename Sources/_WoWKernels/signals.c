// Stop requests for checkpointed flows: SIGINT/SIGTERM set a flag the flow polls between
// steps. The handler does nothing but an atomic store and, on a second signal, restores
// the default action and re-raises (both async-signal-safe).
#include "wow_kernels.h"
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

static atomic_int stop_requested = 0;

static void on_stop_signal(int signo) {
    if (atomic_exchange(&stop_requested, 1)) {
        signal(signo, SIG_DFL);
        raise(signo);
    }
}

void wow_install_stop_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop_signal;
    action.sa_flags = SA_RESTART;  // interrupted reads and writes resume
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

void wow_uninstall_stop_handlers(void) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    atomic_store(&stop_requested, 0);
}

int wow_stop_requested(void) { return atomic_load(&stop_requested); }

void wow_reset_stop_request(void) { atomic_store(&stop_requested, 0); }
