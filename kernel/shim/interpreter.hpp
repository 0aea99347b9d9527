// interpreter.hpp: the xeus interpreter of the Latent kernel. It forwards every
// request to the C API of latent.h and turns return values and callbacks into
// Jupyter messages: translation only, no language logic.
//
// What it guards against (faults of Debian's xeus 2.4.1, each noted where it is handled):
//  - no exception ever leaves a request handler or crosses the C code: each
//    callback and each handler catches everything and answers with an error;
//  - stream text is coalesced and published every ~50 ms or 64 KB, display
//    updates at most every 100 ms, so IOPub's high-water mark drops nothing;
//  - every text is made valid UTF-8 before it is published;
//  - cursor positions are converted between code points and bytes;
//  - error replies are built here (xeus's create_error_reply swaps its arguments).
#ifndef LATENT_SHIM_INTERPRETER_HPP
#define LATENT_SHIM_INTERPRETER_HPP

#include <chrono>
#include <string>
#include <vector>

#include "latent.h"
#include "xeus/xinterpreter.hpp"

namespace latent
{
    class history;

    class interpreter final : public xeus::xinterpreter
    {
    public:
        // hist receives the output of each cell; it is owned by the xkernel.
        explicit interpreter(history* hist);
        ~interpreter() override;

    private:
        using clock = std::chrono::steady_clock;

        void configure_impl() override;
        nl::json execute_request_impl(int execution_counter, const std::string& code,
                                      bool silent, bool store_history,
                                      nl::json user_expressions, bool allow_stdin) override;
        nl::json complete_request_impl(const std::string& code, int cursor_pos) override;
        nl::json inspect_request_impl(const std::string& code, int cursor_pos,
                                      int detail_level) override;
        nl::json is_complete_request_impl(const std::string& code) override;
        nl::json kernel_info_request_impl() override;
        void shutdown_request_impl() override;

        nl::json run_cell(int count, const std::string& code, bool silent, bool store);
        nl::json error_reply() const;
        void fail_cell(const std::string& ename, const std::string& evalue);

        // the C callbacks (ctx is this); each catches every exception
        static void on_stream(void* ctx, int is_stderr, const char* text, size_t len);
        static void on_display(void* ctx, const lt_output* out, int update);
        static void on_result(void* ctx, const lt_output* out);
        static void on_error(void* ctx, const char* ename, const char* evalue,
                             const char* const* traceback, int n_traceback);
        static void on_clear_output(void* ctx, int wait);
        static void on_page(void* ctx, const char* text);
        static int on_checkpoint(void* ctx);

        void add_stream(bool is_stderr, const char* text, size_t len);
        void flush_stream(bool final_flush);
        void flush_captured_stdout();
        void flush_all(bool final_flush);
        void flush_update(bool force);
        void publish_display(const lt_output* out, bool update);
        void callback_failed(const char* where) noexcept;

        history* p_history;
        lt_session* p_session = nullptr;
        bool m_inject_fault = false;

        // state of the running cell
        int m_count = 0;
        bool m_stream_is_stderr = false;
        std::string m_stream;            // text not yet published
        clock::time_point m_last_flush;
        bool m_has_update = false;        // a throttled update_display_data waiting
        nl::json m_update_data, m_update_metadata, m_update_transient;
        clock::time_point m_last_update;
        bool m_has_error = false;
        std::string m_ename, m_evalue;
        std::vector<std::string> m_traceback;
        nl::json m_payload;
        bool m_has_result = false;
        std::string m_result_text;
    };
}

#endif
