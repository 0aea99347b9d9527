// history.hpp: the kernel's input history, answering history_request.
// xeus's in-memory manager answers with 4-tuples and string ids, and xeus stores
// every input as line 1; clients (and jupyter_kernel_test) reject both. This one is
// filled by the interpreter (line = execution count) and answers as the protocol
// says: [session, line, input] or [session, line, [input, output]].
#ifndef LATENT_SHIM_HISTORY_HPP
#define LATENT_SHIM_HISTORY_HPP

#include <string>
#include <vector>

#include "xeus/xhistory_manager.hpp"

namespace latent
{
    class history final : public xeus::xhistory_manager
    {
    public:
        // the one session number this kernel reports (there is no saved history)
        static constexpr int session_number = 1;

        // Records a cell: its execution count, its code and, if has_output, the
        // text/plain of its execute_result.
        void record(int line, const std::string& input, bool has_output,
                    const std::string& output);

    private:
        struct entry
        {
            int line;
            std::string input;
            bool has_output;
            std::string output;
        };

        void configure_impl() override;
        void store_inputs_impl(int session, int line, const std::string& input,
                               const std::string& output) override;
        nl::json get_tail_impl(int n, bool raw, bool output) const override;
        nl::json get_range_impl(int session, int start, int stop, bool raw,
                                bool output) const override;
        nl::json search_impl(const std::string& pattern, bool raw, bool output, int n,
                             bool unique) const override;

        nl::json row(const entry& e, bool output) const;
        static nl::json reply(nl::json rows);

        std::vector<entry> m_entries;
    };
}

#endif
