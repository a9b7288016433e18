#pragma once

#include <memory>

#include "localsource.h"

namespace Switchboard {

/**
 * @brief A view model's handle on its ConsoleSource: the console's (not owned), or a
 * LocalSource of its own around a Server (tests construct models that way).
 */
class SourceRef final
{
    Q_DISABLE_COPY_MOVE(SourceRef)

public:
    explicit SourceRef(ConsoleSource *source) : m_source(source) {}
    explicit SourceRef(Server *server)
        : m_own(server ? std::make_unique<LocalSource>(*server) : nullptr), m_source(m_own.get())
    {
    }

    ConsoleSource *get() const { return m_source; }
    ConsoleSource *operator->() const { return m_source; }
    explicit operator bool() const { return m_source != nullptr; }

private:
    std::unique_ptr<LocalSource> m_own;
    ConsoleSource *m_source = nullptr;
};

} // namespace Switchboard
