#include "offlinefallback.h"

#include <atomic>
#include <memory>

#include "core/logging.h"
#include "server.h"

namespace Switchboard::OfflineFallback {

std::function<void(const EmitResult &)> wrap(Server &server, const EmitRequest &request,
                                             std::function<void(const EmitResult &)> done)
{
    auto live = std::make_shared<EmitRequest>(request);
    live->persist = false; // to the user's live sockets on every node, recorded like any user emit
    live->whenPersisted = {};
    live->whenPublished = {};
    return [&server, live, done = std::move(done)](const EmitResult &outcome) {
        if (outcome.persisted) {
            if (done)
                done(outcome);
            return;
        }
        // Told once, whichever way the live copy went.
        auto told = std::make_shared<std::atomic<bool>>(false);
        const auto tell = [told, done, outcome](const QString &how) {
            if (told->exchange(true))
                return;
            EmitResult result = outcome;
            result.error += how;
            qCWarning(lcQueue).noquote() << result.error;
            if (done)
                done(result);
        };
        live->whenPublished = [tell](const PublishOutcome &published) {
            tell(published.published ? QStringLiteral("; published live to the cluster instead")
                                     : QStringLiteral("; not published live either: %1").arg(published.error));
        };
        const EmitResult again = server.emitEvent(std::move(*live));
        if (!again.error.isEmpty())
            tell(QStringLiteral("; not emitted live either: %1").arg(again.error));
        else if (!again.publishPending)
            tell(QStringLiteral("; not published live either"));
    };
}

} // namespace Switchboard::OfflineFallback
