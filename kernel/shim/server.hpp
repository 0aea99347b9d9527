// server.hpp: xeus's ZeroMQ server, with Run All semantics as ipykernel has them,
// a strict signature length and a repaired shutdown_reply.
//
// Run All (stop_on_error). xeus 2.4.1, after a failing execute_request with
// stop_on_error, reads whatever sits in the shell socket at that instant and
// answers each message (of any type) with {"status": "error"}, sleeping 50 ms
// between them: a request sent after the aborted replies arrived is aborted too,
// and a Run All cell that reaches the kernel a moment after the error runs.
// This server replaces that with one rule: an execute_request that reaches the
// kernel before the failing cell's execute_reply leaves it is aborted; one that
// arrives after runs. To give the requests a frontend sent together (Run All)
// time to arrive, the failing cell's reply is held for a short window
// (LATENT_STOP_ON_ERROR_WINDOW_MS, default 50; its error output is published at
// once). Aborted requests are answered {"status": "aborted"} after the error
// reply, each between a busy and an idle status, as ipykernel does; other
// requests that arrive in the window (completion, kernel_info, ...) are handled
// after it, in order. A client that waits for every reply before sending more
// never has a request aborted.
//
// Signatures: xeus compares only the first bytes of a message's HMAC (it reads past
// a short one and accepts a long one with bytes appended); messages whose signature
// does not have the scheme's exact length are dropped here, unanswered.
//
// The shutdown_reply of xeus lacks the "status" every reply carries: added here.
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
