// history.cpp: tail, range and glob search over the inputs of this session.
#include "history.hpp"

#include <fnmatch.h>

#include <set>

namespace latent
{
    void history::configure_impl()
    {
    }

    // xeus calls this with line 1 for every cell: the interpreter calls record() instead
    void history::store_inputs_impl(int /*session*/, int /*line*/, const std::string& /*input*/,
                                    const std::string& /*output*/)
    {
    }

    void history::record(int line, const std::string& input, bool has_output,
                         const std::string& output)
    {
        m_entries.push_back({line, input, has_output, output});
    }

    // [session, line, input] or [session, line, [input, output-or-null]]
    nl::json history::row(const entry& e, bool output) const
    {
        if (!output)
            return nl::json::array({session_number, e.line, e.input});
        nl::json out = e.has_output ? nl::json(e.output) : nl::json(nullptr);
        return nl::json::array({session_number, e.line, nl::json::array({e.input, out})});
    }

    nl::json history::reply(nl::json rows)
    {
        return nl::json{{"status", "ok"}, {"history", std::move(rows)}};
    }

    // the last n inputs, oldest first
    nl::json history::get_tail_impl(int n, bool /*raw*/, bool output) const
    {
        nl::json rows = nl::json::array();
        std::size_t count = n <= 0 ? 0 : std::min<std::size_t>(n, m_entries.size());
        for (std::size_t i = m_entries.size() - count; i < m_entries.size(); ++i)
            rows.push_back(row(m_entries[i], output));
        return reply(std::move(rows));
    }

    // lines start <= line < stop of this session (0 and negative mean this session)
    nl::json history::get_range_impl(int session, int start, int stop, bool /*raw*/,
                                     bool output) const
    {
        nl::json rows = nl::json::array();
        if (session > 0 && session != session_number)
            return reply(std::move(rows));
        for (const entry& e : m_entries)
        {
            if (e.line >= start && (stop <= 0 || e.line < stop))
                rows.push_back(row(e, output));
        }
        return reply(std::move(rows));
    }

    // inputs matching the glob pattern; the last n (all if n <= 0), the most
    // recent copy only when unique; oldest first
    nl::json history::search_impl(const std::string& pattern, bool /*raw*/, bool output,
                                  int n, bool unique) const
    {
        std::vector<const entry*> hits;
        std::set<std::string> seen;
        for (auto it = m_entries.rbegin(); it != m_entries.rend(); ++it)
        {
            if (n > 0 && static_cast<int>(hits.size()) >= n)
                break;
            if (fnmatch(pattern.c_str(), it->input.c_str(), 0) != 0)
                continue;
            if (unique && !seen.insert(it->input).second)
                continue;
            hits.push_back(&*it);
        }
        nl::json rows = nl::json::array();
        for (auto it = hits.rbegin(); it != hits.rend(); ++it)
            rows.push_back(row(**it, output));
        return reply(std::move(rows));
    }
}
