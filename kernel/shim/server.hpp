// server.hpp: xeus's ZeroMQ server with two repairs. When a cell fails with
// stop_on_error, xeus answers every queued request with {"status": "error"} and
// nothing else; clients expect ename, evalue and traceback in an error reply.
// This server fills them in on the way out. And its shutdown_reply lacks the
// "status" every reply carries: added here.
#ifndef LATENT_SHIM_SERVER_HPP
#define LATENT_SHIM_SERVER_HPP

#include <memory>

#include "xeus/xeus_context.hpp"
#include "xeus/xkernel_configuration.hpp"
#include "xeus/xserver_zmq.hpp"

namespace latent
{
    // Matches xeus::xkernel::server_builder.
    std::unique_ptr<xeus::xserver> make_server(xeus::xcontext& context,
                                               const xeus::xconfiguration& config,
                                               nl::json::error_handler_t eh);
}

#endif
