// main.cpp: the `latent` kernel executable: `latent -f CONNECTION_FILE`.
#include <cstdio>
#include <exception>
#include <memory>

#include "history.hpp"
#include "interpreter.hpp"
#include "process.hpp"
#include "server.hpp"
#include "xeus/xhelper.hpp"
#include "xeus/xkernel.hpp"
#include "xeus/xkernel_configuration.hpp"

int main(int argc, char* argv[])
{
    // before any thread exists, so that every later thread has SIGINT blocked
    latent::interrupt_setup();
    if (xeus::should_print_version(argc, argv))
    {
        std::fprintf(stderr, "latent %s\n", lt_kernel_info()->implementation_version);
        return 0;
    }
    std::string file = xeus::extract_filename(argc, argv);
    if (file.empty())
    {
        std::fprintf(stderr, "usage: latent -f CONNECTION_FILE (started by Jupyter)\n");
        return 2;
    }
    latent::parent_watch_start();
    latent::stdout_capture_start();
    try
    {
        xeus::xconfiguration config = xeus::load_configuration(file);
        // with an empty key xeus would sign with a random one, and every message would
        // then fail its signature check
        if (config.m_key.empty())
            config.m_signature_scheme = "none";
        auto history = std::make_unique<latent::history>();
        auto interpreter = std::make_unique<latent::interpreter>(history.get());
        xeus::xkernel kernel(config, xeus::get_user_name(),
                             xeus::make_context<zmq::context_t>(), std::move(interpreter),
                             latent::make_server, std::move(history), nullptr,
                             xeus::make_null_debugger, nl::json::object(),
                             nl::json::error_handler_t::replace);  // invalid UTF-8 would throw in publish
        kernel.start();
    }
    catch (const std::exception& e)
    {
        std::fprintf(stderr, "latent: %s\n", e.what());
        return 1;
    }
    return 0;
}
