// server.cpp: completes the replies xeus sends incomplete.
#include "server.hpp"

#include <utility>

namespace latent
{
    namespace
    {
        // Returns the repaired content of a reply, or null if it needs no repair.
        nl::json repaired(const nl::json& header, const nl::json& content)
        {
            if (!content.is_object())
                return nullptr;
            // aborted after an error with stop_on_error: {"status": "error"} only
            if (content.value("status", "") == "error" && !content.contains("ename"))
            {
                nl::json fixed = content;
                fixed["ename"] = "ExecutionAborted";
                fixed["evalue"] = "not run: an earlier cell failed (stop_on_error)";
                fixed["traceback"] = nl::json::array();
                return fixed;
            }
            // shutdown_reply without the status every reply must carry
            if (header.value("msg_type", "") == "shutdown_reply" && !content.contains("status"))
            {
                nl::json fixed = content;
                fixed["status"] = "ok";
                return fixed;
            }
            return nullptr;
        }

        xeus::xmessage repair(xeus::xmessage msg)
        {
            nl::json fixed = repaired(msg.header(), msg.content());
            if (fixed.is_null())
                return msg;
            return xeus::xmessage(msg.identities(), msg.header(), msg.parent_header(),
                                  msg.metadata(), std::move(fixed), std::move(msg).buffers());
        }

        class server final : public xeus::xserver_zmq
        {
        public:
            using xeus::xserver_zmq::xserver_zmq;

        protected:
            void send_shell_impl(xeus::xmessage msg) override
            {
                xeus::xserver_zmq::send_shell_impl(repair(std::move(msg)));
            }

            void send_control_impl(xeus::xmessage msg) override
            {
                xeus::xserver_zmq::send_control_impl(repair(std::move(msg)));
            }
        };
    }

    std::unique_ptr<xeus::xserver> make_server(xeus::xcontext& context,
                                               const xeus::xconfiguration& config,
                                               nl::json::error_handler_t eh)
    {
        return std::make_unique<server>(context.get_wrapped_context<zmq::context_t>(),
                                        config, eh);
    }
}
