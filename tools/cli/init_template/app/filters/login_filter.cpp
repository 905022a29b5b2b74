// A global before filter on the connector: it runs for every client request before the request is
// handled there or forwarded to a backend. A session that has not logged in may only log in.
#include "app.hpp"

namespace app {

void add_login_filter(Context &ctx) {
    ctx.filters->global_before([](shd::FilterMsg &msg, shd::Session &session, shd::Next next) {
        if (session.uid().empty() && msg.route() != "connector.entryHandler.login")
            return next.fail(R"({"code":401,"msg":"log in first: connector.entryHandler.login"})");
        next();
    });
}

}  // namespace app
