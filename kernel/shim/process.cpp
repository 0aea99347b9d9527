// process.cpp: signals, parent watch and fd 1 capture (POSIX/Linux).
#include "process.hpp"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

namespace latent
{
    namespace
    {
        std::atomic<lt_session*> g_target{nullptr};
        std::atomic<int> g_pending{0};
        int g_capture_fd = -1;

        // async-signal-safe: two atomic stores
        void note_interrupt()
        {
            g_pending.store(1);
            lt_session* s = g_target.load();
            if (s != nullptr)
                lt_interrupt(s);
        }

        extern "C" void on_sigint(int)
        {
            int saved = errno;
            note_interrupt();
            errno = saved;
        }

        void sigwait_loop(sigset_t set)
        {
            for (;;)
            {
                int sig = 0;
                if (sigwait(&set, &sig) == 0 && sig == SIGINT)
                    note_interrupt();
            }
        }

        void parent_watch_loop(pid_t parent)
        {
            for (;;)
            {
                std::this_thread::sleep_for(std::chrono::milliseconds(500));
                if (kill(parent, 0) != 0 && errno == ESRCH)
                    _exit(0);
            }
        }
    }

    void interrupt_setup()
    {
        struct sigaction sa = {};
        sa.sa_handler = on_sigint;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(SIGINT, &sa, nullptr);

        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        pthread_sigmask(SIG_BLOCK, &set, nullptr);
        std::thread(sigwait_loop, set).detach();
    }

    void interrupt_target(lt_session* s)
    {
        g_target.store(s);
    }

    bool interrupt_pending()
    {
        return g_pending.load() != 0;
    }

    void interrupt_clear()
    {
        g_pending.store(0);
    }

    void parent_watch_start()
    {
        const char* env = std::getenv("JPY_PARENT_PID");
        if (env == nullptr)
            return;
        char* end = nullptr;
        long pid = std::strtol(env, &end, 10);
        if (end == env || *end != '\0' || pid <= 1)
            return;
        std::thread(parent_watch_loop, static_cast<pid_t>(pid)).detach();
    }

    bool stdout_capture_start()
    {
        std::fflush(stdout);
        int fd = memfd_create("latent-stdout", MFD_CLOEXEC);
        if (fd < 0)
            return false;
        if (dup2(fd, STDOUT_FILENO) < 0)
        {
            close(fd);
            return false;
        }
        g_capture_fd = fd;
        return true;
    }

    std::string stdout_capture_take()
    {
        std::string text;
        if (g_capture_fd < 0)
            return text;
        std::fflush(stdout);
        std::cout.flush();
        off_t size = lseek(g_capture_fd, 0, SEEK_END);
        if (size <= 0)
            return text;
        text.resize(static_cast<std::size_t>(size));
        ssize_t got = pread(g_capture_fd, &text[0], text.size(), 0);
        text.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
        // fd 1 shares this file description: rewinding it rewinds the writer too
        if (ftruncate(g_capture_fd, 0) == 0)
            lseek(g_capture_fd, 0, SEEK_SET);
        return text;
    }
}
