// interpreter.cpp: Jupyter requests -> latent.h calls, callbacks -> IOPub messages.
#include "interpreter.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <thread>

#include "history.hpp"
#include "process.hpp"
#include "utf8.hpp"
#include "xtl/xbase64.hpp"

namespace latent
{
    namespace
    {
        // coalescing of stream text and throttling of display updates: under load IOPub
        // drops messages past ZeroMQ's high-water mark
        constexpr auto stream_interval = std::chrono::milliseconds(50);
        constexpr std::size_t stream_max_bytes = 64 * 1024;
        constexpr auto update_interval = std::chrono::milliseconds(100);

        interpreter* self(void* ctx)
        {
            return static_cast<interpreter*>(ctx);
        }

        std::string text_of(const char* s)
        {
            return s == nullptr ? std::string() : utf8_sanitize(s, std::strlen(s));
        }

        bool is_binary_mime(const std::string& type)
        {
            return type.rfind("image/", 0) == 0 && type != "image/svg+xml";
        }

        // data: {mime: text or base64}; metadata: {"image/png": {width, height}}
        void make_bundle(const lt_output* out, nl::json& data, nl::json& metadata)
        {
            data = nl::json::object();
            metadata = nl::json::object();
            for (int i = 0; i < out->n_items; ++i)
            {
                const lt_mime& m = out->items[i];
                std::string type = text_of(m.type);
                const char* bytes = static_cast<const char*>(m.data);
                std::size_t len = bytes == nullptr ? 0 : m.len;
                if (is_binary_mime(type))
                    data[type] = xtl::base64encode(std::string(bytes, len));
                else
                    data[type] = utf8_sanitize(bytes, len);
            }
            if (out->width > 0 && out->height > 0 && data.contains("image/png"))
                metadata["image/png"] = {{"width", out->width}, {"height", out->height}};
        }

        nl::json make_transient(const lt_output* out)
        {
            nl::json t = nl::json::object();
            if (out->display_id != nullptr && out->display_id[0] != '\0')
                t["display_id"] = text_of(out->display_id);
            return t;
        }
    }

    interpreter::interpreter(history* hist)
        : p_history(hist)
    {
        const char* fault = std::getenv("LATENT_SHIM_FAULT");
        m_inject_fault = fault != nullptr && std::strcmp(fault, "execute") == 0;
        xeus::register_interpreter(this);
    }

    interpreter::~interpreter()
    {
        interrupt_target(nullptr);
        lt_session_free(p_session);
    }

    void interpreter::configure_impl()
    {
        lt_host host = {};
        host.ctx = this;
        host.stream = on_stream;
        host.display = on_display;
        host.result = on_result;
        host.error = on_error;
        host.clear_output = on_clear_output;
        host.page = on_page;
        host.checkpoint = on_checkpoint;
        p_session = lt_session_new(&host);
        if (p_session == nullptr)
            throw std::runtime_error("latent: out of memory creating the session");
        interrupt_target(p_session);
    }

    // ---- execute -------------------------------------------------------------

    nl::json interpreter::execute_request_impl(int execution_counter, const std::string& code,
                                               bool silent, bool store_history,
                                               nl::json /*user_expressions*/,
                                               bool /*allow_stdin*/)
    {
        // nothing may escape: after an exception xeus sends no execute_reply
        try
        {
            return run_cell(execution_counter, code, silent, store_history);
        }
        catch (const std::exception& e)
        {
            fail_cell("KernelError", std::string("the kernel failed: ") + e.what());
        }
        catch (...)
        {
            fail_cell("KernelError", "the kernel failed with an unknown exception");
        }
        return error_reply();
    }

    nl::json interpreter::run_cell(int count, const std::string& code, bool silent, bool store)
    {
        m_count = count;
        m_stream.clear();
        m_last_flush = clock::time_point();
        m_has_update = false;
        m_last_update = clock::time_point();
        m_has_error = false;
        m_ename.clear();
        m_evalue.clear();
        m_traceback.clear();
        m_payload = nl::json::array();
        m_has_result = false;
        m_result_text.clear();
        interrupt_clear();
        std::string before = stdout_capture_take();  // printed between cells: to the log
        if (!before.empty())
            std::fwrite(before.data(), 1, before.size(), stderr);

        int rc = lt_execute(p_session, code.c_str(), silent ? 1 : 0);
        flush_all(true);
        if (m_inject_fault)
            throw std::runtime_error("fault injected by LATENT_SHIM_FAULT=execute");
        if (store)
            p_history->record(count, code, m_has_result, m_result_text);
        if (rc != LT_EXEC_OK || m_has_error)
        {
            if (!m_has_error)
                fail_cell("Error", "the cell failed without an error message");
            return error_reply();
        }
        return nl::json{{"status", "ok"},
                        {"payload", m_payload},
                        {"user_expressions", nl::json::object()}};
    }

    // built by hand: xeus::create_error_reply swaps ename and evalue
    nl::json interpreter::error_reply() const
    {
        return nl::json{{"status", "error"},
                        {"ename", m_ename},
                        {"evalue", m_evalue},
                        {"traceback", m_traceback},
                        {"payload", nl::json::array()},
                        {"user_expressions", nl::json::object()}};
    }

    // An error of the shim itself: remembered for the reply and published if possible.
    void interpreter::fail_cell(const std::string& ename, const std::string& evalue)
    {
        m_has_error = true;
        m_ename = utf8_sanitize(ename);
        m_evalue = utf8_sanitize(evalue);
        m_traceback = {m_ename + ": " + m_evalue};
        try
        {
            flush_all(true);
            publish_execution_error(m_ename, m_evalue, m_traceback);
        }
        catch (...)
        {
            std::fprintf(stderr, "latent: could not publish an error: %s\n", m_evalue.c_str());
        }
    }

    void interpreter::callback_failed(const char* where) noexcept
    {
        try
        {
            std::string what = "unknown exception";
            try
            {
                throw;
            }
            catch (const std::exception& e)
            {
                what = e.what();
            }
            catch (...)
            {
            }
            std::fprintf(stderr, "latent: %s failed: %s\n", where, what.c_str());
            if (!m_has_error)
                fail_cell("KernelError", std::string("could not publish ") + where + ": " + what);
        }
        catch (...)
        {
        }
    }

    // ---- output --------------------------------------------------------------

    void interpreter::add_stream(bool is_stderr, const char* text, size_t len)
    {
        if (len == 0)
            return;
        if (!m_stream.empty() && is_stderr != m_stream_is_stderr)
            flush_stream(true);
        m_stream_is_stderr = is_stderr;
        m_stream.append(text, len);
        if (m_stream.size() >= stream_max_bytes || clock::now() - m_last_flush >= stream_interval)
            flush_stream(false);
    }

    // Publishes the buffered text; unless final_flush, a character cut at the end
    // of the buffer waits for its remaining bytes.
    void interpreter::flush_stream(bool final_flush)
    {
        if (m_stream.empty())
            return;
        std::size_t n = final_flush ? m_stream.size()
                                    : utf8_whole_prefix(m_stream.data(), m_stream.size());
        if (n == 0)
            return;
        std::string text = utf8_sanitize(m_stream.data(), n);
        m_stream.erase(0, n);
        m_last_flush = clock::now();
        publish_stream(m_stream_is_stderr ? "stderr" : "stdout", text);
    }

    // printf from a library lands in the captured fd 1 (without it, in the kernel's own
    // stdout: the server's log, not the notebook)
    void interpreter::flush_captured_stdout()
    {
        std::string text = stdout_capture_take();
        if (text.empty())
            return;
        if (!m_stream.empty() && m_stream_is_stderr)
            flush_stream(true);
        m_stream_is_stderr = false;
        m_stream += text;
    }

    void interpreter::flush_all(bool final_flush)
    {
        flush_captured_stdout();
        flush_stream(final_flush);
        flush_update(final_flush);
    }

    // Publishes the waiting display update if forced or if the last one is old enough.
    void interpreter::flush_update(bool force)
    {
        if (!m_has_update)
            return;
        clock::time_point now = clock::now();
        if (!force && now - m_last_update < update_interval)
            return;
        m_has_update = false;
        m_last_update = now;
        update_display_data(std::move(m_update_data), std::move(m_update_metadata),
                            std::move(m_update_transient));
    }

    void interpreter::publish_display(const lt_output* out, bool update)
    {
        nl::json data, metadata;
        make_bundle(out, data, metadata);
        nl::json transient = make_transient(out);
        flush_captured_stdout();
        flush_stream(true);
        if (!update || !transient.contains("display_id"))
        {
            flush_update(true);
            display_data(std::move(data), std::move(metadata), std::move(transient));
            return;
        }
        if (m_has_update && m_update_transient != transient)
            flush_update(true);
        m_has_update = true;
        m_update_data = std::move(data);
        m_update_metadata = std::move(metadata);
        m_update_transient = std::move(transient);
        flush_update(false);
    }

    // ---- callbacks -----------------------------------------------------------

    void interpreter::on_stream(void* ctx, int is_stderr, const char* text, size_t len)
    {
        try
        {
            if (text != nullptr)
                self(ctx)->add_stream(is_stderr != 0, text, len);
        }
        catch (...)
        {
            self(ctx)->callback_failed("stream output");
        }
    }

    void interpreter::on_display(void* ctx, const lt_output* out, int update)
    {
        try
        {
            if (out != nullptr)
                self(ctx)->publish_display(out, update != 0);
        }
        catch (...)
        {
            self(ctx)->callback_failed("display data");
        }
    }

    void interpreter::on_result(void* ctx, const lt_output* out)
    {
        interpreter* me = self(ctx);
        try
        {
            if (out == nullptr)
                return;
            nl::json data, metadata;
            make_bundle(out, data, metadata);
            me->flush_all(true);
            if (data.contains("text/plain"))
            {
                me->m_has_result = true;
                me->m_result_text = data["text/plain"].get<std::string>();
            }
            me->publish_execution_result(me->m_count, std::move(data), std::move(metadata));
        }
        catch (...)
        {
            me->callback_failed("the result");
        }
    }

    void interpreter::on_error(void* ctx, const char* ename, const char* evalue,
                               const char* const* traceback, int n_traceback)
    {
        interpreter* me = self(ctx);
        try
        {
            me->m_has_error = true;
            me->m_ename = text_of(ename);
            me->m_evalue = text_of(evalue);
            me->m_traceback.clear();
            for (int i = 0; traceback != nullptr && i < n_traceback; ++i)
                me->m_traceback.push_back(text_of(traceback[i]));
            me->flush_all(true);
            me->publish_execution_error(me->m_ename, me->m_evalue, me->m_traceback);
        }
        catch (...)
        {
            me->callback_failed("the error");
        }
    }

    void interpreter::on_clear_output(void* ctx, int wait)
    {
        try
        {
            self(ctx)->flush_all(true);
            self(ctx)->clear_output(wait != 0);
        }
        catch (...)
        {
            self(ctx)->callback_failed("clear_output");
        }
    }

    void interpreter::on_page(void* ctx, const char* text)
    {
        try
        {
            nl::json page = {{"source", "page"},
                             {"data", {{"text/plain", text_of(text)}}},
                             {"start", 0}};
            self(ctx)->m_payload.push_back(std::move(page));
        }
        catch (...)
        {
            self(ctx)->callback_failed("a page");
        }
    }

    // The only place where output is published during long work (ZeroMQ sockets are not
    // thread-safe, so only the executing thread publishes):
    // the language calls it from the executing thread at safe points.
    int interpreter::on_checkpoint(void* ctx)
    {
        interpreter* me = self(ctx);
        try
        {
            if (clock::now() - me->m_last_flush >= stream_interval)
            {
                me->flush_captured_stdout();
                me->flush_stream(false);
                me->m_last_flush = clock::now();
            }
            me->flush_update(false);
        }
        catch (...)
        {
            me->callback_failed("buffered output");
        }
        return interrupt_pending() ? 1 : 0;
    }

    // ---- the other requests ----------------------------------------------------

    namespace
    {
        nl::json request_error(const char* what)
        {
            return nl::json{{"status", "error"},
                            {"ename", "KernelError"},
                            {"evalue", utf8_sanitize(std::string(what))},
                            {"traceback", nl::json::array()}};
        }
    }

    nl::json interpreter::complete_request_impl(const std::string& code, int cursor_pos)
    {
        try
        {
            std::size_t cursor = utf8_byte_offset(code, cursor_pos);
            lt_completion c = {};
            lt_complete(p_session, code.c_str(), cursor, &c);
            nl::json matches = nl::json::array();
            for (int i = 0; i < c.n; ++i)
                matches.push_back(text_of(c.matches[i]));
            long start = utf8_codepoint_index(code, c.n > 0 ? c.start : cursor);
            long end = utf8_codepoint_index(code, c.n > 0 ? c.end : cursor);
            lt_completion_free(&c);
            return nl::json{{"status", "ok"},
                            {"matches", std::move(matches)},
                            {"cursor_start", start},
                            {"cursor_end", end},
                            {"metadata", nl::json::object()}};
        }
        catch (const std::exception& e)
        {
            return request_error(e.what());
        }
    }

    nl::json interpreter::inspect_request_impl(const std::string& code, int cursor_pos,
                                               int detail_level)
    {
        try
        {
            std::size_t cursor = utf8_byte_offset(code, cursor_pos);
            char* text = lt_inspect(p_session, code.c_str(), cursor, detail_level);
            nl::json data = nl::json::object();
            if (text != nullptr)
            {
                data["text/plain"] = text_of(text);
                std::free(text);
            }
            bool found = !data.empty();
            return nl::json{{"status", "ok"},
                            {"found", found},
                            {"data", std::move(data)},
                            {"metadata", nl::json::object()}};
        }
        catch (const std::exception& e)
        {
            return request_error(e.what());
        }
    }

    nl::json interpreter::is_complete_request_impl(const std::string& code)
    {
        try
        {
            char indent[64] = "";
            const char* status = lt_is_complete(code.c_str(), indent, sizeof indent);
            nl::json reply = {{"status", text_of(status)}};
            if (reply["status"] == "incomplete")
                reply["indent"] = text_of(indent);
            return reply;
        }
        catch (const std::exception&)
        {
            return nl::json{{"status", "unknown"}};
        }
    }

    nl::json interpreter::kernel_info_request_impl()
    {
        const lt_info* info = lt_kernel_info();
        nl::json links = nl::json::array();
        if (info->help_url != nullptr && info->help_url[0] != '\0')
            links.push_back({{"text", "Latent reference"}, {"url", text_of(info->help_url)}});
        return nl::json{
            {"status", "ok"},
            {"protocol_version", "5.3"},
            {"implementation", text_of(info->implementation)},
            {"implementation_version", text_of(info->implementation_version)},
            {"language_info",
             {{"name", text_of(info->language)},
              {"version", text_of(info->language_version)},
              {"mimetype", text_of(info->mimetype)},
              {"file_extension", text_of(info->file_extension)},
              {"pygments_lexer", text_of(info->pygments_lexer)},
              {"codemirror_mode", text_of(info->codemirror_mode)},
              {"nbconvert_exporter", ""}}},
            {"banner", text_of(info->banner)},
            {"debugger", false},
            {"help_links", std::move(links)}};
    }

    namespace
    {
        // std::exit does not wait for ZeroMQ's I/O thread: without a moment's grace
        // the shutdown_reply is sometimes never sent (1 run in 15 here).
        void let_replies_leave()
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }

    // xeus calls std::exit(0) right after this: clean up here.
    void interpreter::shutdown_request_impl()
    {
        std::atexit(let_replies_leave);
        std::string rest = stdout_capture_take();
        if (!rest.empty())
            std::fwrite(rest.data(), 1, rest.size(), stderr);
        interrupt_target(nullptr);
        lt_session_free(p_session);
        p_session = nullptr;
        std::fflush(stderr);
    }
}
