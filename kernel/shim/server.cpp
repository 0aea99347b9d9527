// server.cpp: the shell loop of xeus's ZeroMQ server, with the abort window of a
// failing stop_on_error cell (server.hpp) and a complete shutdown_reply.
#include "server.hpp"

#include <chrono>
#include <cstdlib>
#include <deque>
#include <exception>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "xeus/xmessage.hpp"
#include "xeus/xzmq_serializer.hpp"
#include "zmq_addon.hpp"

namespace latent
{
    namespace
    {
        using clock = std::chrono::steady_clock;

        constexpr long default_window_ms = 50;
        constexpr long max_window_ms = 10000;

        // LATENT_STOP_ON_ERROR_WINDOW_MS: 0 .. 10000; anything else means the default.
        long window_ms()
        {
            const char* text = std::getenv("LATENT_STOP_ON_ERROR_WINDOW_MS");
            if (text == nullptr || *text == '\0')
                return default_window_ms;
            char* end = nullptr;
            long ms = std::strtol(text, &end, 10);
            if (*end != '\0' || ms < 0 || ms > max_window_ms)
            {
                std::cerr << "latent: LATENT_STOP_ON_ERROR_WINDOW_MS=" << text
                          << " is not a whole number of ms in 0.." << max_window_ms
                          << "; using " << default_window_ms << "\n";
                return default_window_ms;
            }
            return ms;
        }

        std::string msg_type_of(const xeus::xmessage& msg)
        {
            const nl::json& header = msg.header();
            if (!header.is_object())
                return "";
            auto it = header.find("msg_type");
            return it != header.end() && it->is_string() ? it->get<std::string>() : "";
        }

        bool flag_of(const nl::json& content, const char* name)
        {
            if (!content.is_object())
                return false;
            auto it = content.find(name);
            return it != content.end() && it->is_boolean() && it->get<bool>();
        }

        // Whether a failure of this request aborts the requests queued behind it
        // (the condition of xeus's xkernel_core::execute_request).
        bool stops_on_error(const xeus::xmessage& msg)
        {
            return msg_type_of(msg) == "execute_request"
                   && flag_of(msg.content(), "stop_on_error")
                   && !flag_of(msg.content(), "silent");
        }

        bool is_failed_execute_reply(const xeus::xmessage& msg)
        {
            const nl::json& c = msg.content();
            return msg_type_of(msg) == "execute_reply" && c.is_object()
                   && c.value("status", "") == "error";
        }

        // Hex digits of a signature under scheme; 0 if unsigned or unknown (no check).
        std::size_t signature_length(const xeus::xconfiguration& config)
        {
            if (config.m_key.empty() || config.m_signature_scheme == "none")
                return 0;
            const std::pair<const char*, std::size_t> known[] = {
                {"hmac-md5", 32}, {"hmac-sha1", 40}, {"hmac-sha224", 56},
                {"hmac-sha256", 64}, {"hmac-sha384", 96}, {"hmac-sha512", 128}};
            for (const auto& k : known)
                if (config.m_signature_scheme == k.first)
                    return k.second;
            return 0;
        }

        // xeus compares only the first bytes of a signature (it reads past a short
        // one and accepts a long one with anything appended): the signature frame,
        // after the "<IDS|MSG>" delimiter, must have exactly the scheme's length.
        bool signature_has_length(const zmq::multipart_t& wire, std::size_t length)
        {
            if (length == 0)
                return true;
            for (std::size_t i = 0; i + 1 < wire.size(); ++i)
                if (wire[i].to_string_view() == "<IDS|MSG>")
                    return wire[i + 1].size() == length;
            return false;
        }

        // shutdown_reply without the status every reply must carry
        xeus::xmessage repaired(xeus::xmessage msg)
        {
            if (msg_type_of(msg) != "shutdown_reply" || !msg.content().is_object()
                || msg.content().contains("status"))
                return msg;
            nl::json fixed = msg.content();
            fixed["status"] = "ok";
            return xeus::xmessage(msg.identities(), msg.header(), msg.parent_header(),
                                  msg.metadata(), std::move(fixed), std::move(msg).buffers());
        }

        class server final : public xeus::xserver_zmq
        {
        public:
            server(zmq::context_t& context, const xeus::xconfiguration& config,
                   nl::json::error_handler_t eh)
                : xeus::xserver_zmq(context, config, eh)
                , m_window(window_ms())
                , m_signature_length(signature_length(config))
            {
            }

        protected:
            // xserver_zmq::start_impl with our shell loop
            void start_impl(xeus::xpub_message message) override
            {
                m_status_topic = message.topic();  // the "starting" status
                start_publisher_thread();
                start_heartbeat_thread();
                m_request_stop = false;
                publish(std::move(message), xeus::channel::SHELL);
                while (!m_request_stop)
                    poll_once();
                stop_channels();
                std::exit(0);
            }

            void send_shell_impl(xeus::xmessage msg) override
            {
                if (m_armed && is_failed_execute_reply(msg))
                {
                    m_armed = false;
                    send_failure_and_aborts(std::move(msg));
                    return;
                }
                xeus::xserver_zmq::send_shell_impl(repaired(std::move(msg)));
            }

            void send_control_impl(xeus::xmessage msg) override
            {
                xeus::xserver_zmq::send_control_impl(repaired(std::move(msg)));
            }

            // What xeus would have aborted was taken during the window.
            void abort_queue_impl(const listener&, long) override
            {
            }

        private:
            void poll_once();
            void dispatch_shell(xeus::xmessage msg);
            bool receive(zmq::socket_t& socket, xeus::xmessage& msg, bool wait);
            void collect_window(std::vector<xeus::xmessage>& aborted);
            void send_failure_and_aborts(xeus::xmessage failure);
            void send_aborted(const xeus::xmessage& request, const nl::json& reply_header);
            void publish_status(const nl::json& parent, const nl::json& reply_header,
                                const char* state);

            long m_window;
            std::size_t m_signature_length;
            bool m_armed = false;                  // the running request stops on error
            std::deque<xeus::xmessage> m_deferred;  // arrived during a window, not aborted
            std::string m_status_topic;
        };

        // One round of the loop: control first, then one shell request (a deferred
        // one before any new one).
        void server::poll_once()
        {
            zmq::pollitem_t items[] = {{m_controller, 0, ZMQ_POLLIN, 0},
                                       {m_shell, 0, ZMQ_POLLIN, 0}};
            long timeout = m_deferred.empty() ? -1 : 0;
            zmq::poll(&items[0], 2, std::chrono::milliseconds(timeout));
            xeus::xmessage msg;
            if ((items[0].revents & ZMQ_POLLIN) && receive(m_controller, msg, false))
                notify_control_listener(std::move(msg));
            if (m_request_stop)
                return;
            if (!m_deferred.empty())
            {
                xeus::xmessage next = std::move(m_deferred.front());
                m_deferred.pop_front();
                dispatch_shell(std::move(next));
            }
            else if ((items[1].revents & ZMQ_POLLIN) && receive(m_shell, msg, false))
                dispatch_shell(std::move(msg));
        }

        void server::dispatch_shell(xeus::xmessage msg)
        {
            m_armed = stops_on_error(msg);
            notify_shell_listener(std::move(msg));
            m_armed = false;
        }

        // Reads one message; false if none was there (without wait) or it was
        // invalid (a bad signature or one of the wrong length, malformed JSON): such
        // a message is dropped unanswered.
        bool server::receive(zmq::socket_t& socket, xeus::xmessage& msg, bool wait)
        {
            zmq::multipart_t wire;
            if (!wire.recv(socket, wait ? 0 : ZMQ_DONTWAIT))
                return false;
            if (!signature_has_length(wire, m_signature_length))
            {
                std::cerr << "latent: dropped a message whose signature has the wrong length"
                          << std::endl;
                return false;
            }
            try
            {
                msg = xeus::xzmq_serializer::deserialize(wire, *p_auth);
                return true;
            }
            catch (const std::exception& e)
            {
                std::cerr << "latent: dropped an invalid message: " << e.what() << std::endl;
                return false;
            }
        }

        // Takes every shell message that arrives within the window, and those already
        // waiting when it closes: execute requests into aborted, others deferred.
        void server::collect_window(std::vector<xeus::xmessage>& aborted)
        {
            clock::time_point end = clock::now() + std::chrono::milliseconds(m_window);
            while (true)
            {
                auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    end - clock::now());
                if (left.count() > 0)
                {
                    zmq::pollitem_t item = {m_shell, 0, ZMQ_POLLIN, 0};
                    zmq::poll(&item, 1, left);
                    if (!(item.revents & ZMQ_POLLIN))
                        continue;
                }
                xeus::xmessage msg;
                if (!receive(m_shell, msg, false))
                {
                    if (left.count() <= 0)
                        return;
                    continue;
                }
                if (msg_type_of(msg) == "execute_request")
                    aborted.push_back(std::move(msg));
                else
                    m_deferred.push_back(std::move(msg));
            }
        }

        void server::send_failure_and_aborts(xeus::xmessage failure)
        {
            std::vector<xeus::xmessage> aborted;
            try
            {
                collect_window(aborted);
            }
            catch (const std::exception& e)
            {
                std::cerr << "latent: while aborting queued requests: " << e.what() << std::endl;
            }
            nl::json reply_header = failure.header();
            xeus::xserver_zmq::send_shell_impl(std::move(failure));
            for (const xeus::xmessage& request : aborted)
                send_aborted(request, reply_header);
        }

        // As ipykernel: busy, {"status": "aborted"} (metadata too), idle.
        void server::send_aborted(const xeus::xmessage& request, const nl::json& reply_header)
        {
            std::string user = reply_header.value("username", "");
            std::string session = reply_header.value("session", "");
            publish_status(request.header(), reply_header, "busy");
            nl::json status = {{"status", "aborted"}};
            xeus::xmessage reply(request.identities(),
                                 xeus::make_header("execute_reply", user, session),
                                 request.header(), status, status, xeus::buffer_sequence());
            xeus::xserver_zmq::send_shell_impl(std::move(reply));
            publish_status(request.header(), reply_header, "idle");
        }

        void server::publish_status(const nl::json& parent, const nl::json& reply_header,
                                    const char* state)
        {
            xeus::xpub_message msg(
                m_status_topic,
                xeus::make_header("status", reply_header.value("username", ""),
                                  reply_header.value("session", "")),
                parent, nl::json::object(), nl::json{{"execution_state", state}},
                xeus::buffer_sequence());
            publish(std::move(msg), xeus::channel::SHELL);
        }
    }

    std::unique_ptr<xeus::xserver> make_server(xeus::xcontext& context,
                                               const xeus::xconfiguration& config,
                                               nl::json::error_handler_t eh)
    {
        return std::make_unique<server>(context.get_wrapped_context<zmq::context_t>(),
                                        config, eh);
    }
}
