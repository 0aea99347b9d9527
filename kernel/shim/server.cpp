// server.cpp: completes the bare error replies xeus sends for aborted requests.
#include "server.hpp"

#include <utility>

namespace latent
{
    namespace
    {
        class server final : public xeus::xserver_zmq
        {
        public:
            using xeus::xserver_zmq::xserver_zmq;

        protected:
            void send_shell_impl(xeus::xmessage msg) override
            {
                const nl::json& content = msg.content();
                if (!is_bare_error(content))
                {
                    xeus::xserver_zmq::send_shell_impl(std::move(msg));
                    return;
                }
                nl::json fixed = content;
                fixed["ename"] = "ExecutionAborted";
                fixed["evalue"] = "not run: an earlier cell failed (stop_on_error)";
                fixed["traceback"] = nl::json::array();
                xeus::xmessage patched(msg.identities(), msg.header(), msg.parent_header(),
                                       msg.metadata(), std::move(fixed),
                                       std::move(msg).buffers());
                xeus::xserver_zmq::send_shell_impl(std::move(patched));
            }

        private:
            static bool is_bare_error(const nl::json& c)
            {
                return c.is_object() && c.value("status", "") == "error" && !c.contains("ename");
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
