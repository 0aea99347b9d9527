// process.hpp: the process-wide plumbing of the kernel: interrupts by signal,
// the watch on the Jupyter process that started us, and the capture of fd 1.
// Nothing here publishes a message; the interpreter does that on its own thread.
#ifndef LATENT_SHIM_PROCESS_HPP
#define LATENT_SHIM_PROCESS_HPP

#include <string>

#include "latent.h"

namespace latent
{
    // Call first in main(), before any thread is started by us or by xeus.
    // SIGINT is blocked in this thread (so every thread started later inherits the
    // mask and ZeroMQ's poll never sees EINTR) and taken by a dedicated sigwait
    // thread; a flag-setting handler covers threads started before main() with
    // SIGINT unblocked (OpenBLAS's workers). Both call lt_interrupt on the target.
    void interrupt_setup();
    // The session interrupts go to; nullptr (at shutdown) stops forwarding.
    void interrupt_target(lt_session* s);
    // Whether an interrupt arrived since the last interrupt_clear().
    bool interrupt_pending();
    void interrupt_clear();

    // If JPY_PARENT_PID names a process, a thread exits the kernel (_exit(0)) within
    // about half a second of that process dying. Otherwise does nothing.
    void parent_watch_start();

    // Points fd 1 at an anonymous in-memory file, so that anything printed by a
    // library with printf never blocks (no pipe to fill) and never reaches the
    // server's log mid-cell. Returns false (and leaves fd 1 alone) on failure.
    bool stdout_capture_start();
    // Returns (and forgets) what was written to fd 1 since the last call.
    std::string stdout_capture_take();
}

#endif
