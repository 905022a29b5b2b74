// The host's built-in "shd.admin/1" (host/src/admin_registry.cpp) through its C table and through the
// C++ wrapper's trampoline: names, duplicates, calls and their answers and errors, disabled and unknown
// modules, requests that are not JSON, the list, and unregistering.
#include "admin_registry.hpp"

#include <shaddock/cpp/admin.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <string>

namespace shd::host {
namespace {

shd_str s(const std::string &text) {
    return shd_str{text.data(), text.size()};
}

void keep(void *ud, shd_str t) {
    static_cast<std::string *>(ud)->assign(t.data ? t.data : "", t.size);
}

// A C handler: answers {"got": <request>} or, for "fail", an error of its own.
shd_status SHD_CALL echo(void *ud, shd_str request, shd_text_fn answer, void *answer_data) {
    ++*static_cast<int *>(ud);
    std::string req(request.data, request.size);
    if (req == "\"fail\"") {
        std::string why = "echo refused";
        answer(answer_data, s(why));
        return SHD_ERR_INVALID;
    }
    if (req == "\"silent\"") return SHD_OK;
    std::string out = "{\"got\":" + req + "}";
    answer(answer_data, s(out));
    return SHD_OK;
}

class AdminRegistryTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(AdminRegistryTest);
    CPPUNIT_TEST(namesAreChecked);
    CPPUNIT_TEST(callsAnswer);
    CPPUNIT_TEST(disabledAndUnknownModulesRefuse);
    CPPUNIT_TEST(listIsSortedJson);
    CPPUNIT_TEST(cppWrapperTurnsExceptionsIntoErrors);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        registry_ = std::make_unique<AdminRegistry>(log_);
        vt_ = registry_->vtable();
        ctx_ = registry_.get();
    }

    shd_status add(const std::string &name) { return vt_->register_module(ctx_, s(name), s("d"), &echo, &calls_); }
    shd_status call(const std::string &name, const std::string &req, std::string &out) {
        out.clear();
        return vt_->call(ctx_, s(name), s(req), &keep, &out);
    }

    void namesAreChecked() {
        CPPUNIT_ASSERT_EQUAL(SHD_OK, add("echo"));
        CPPUNIT_ASSERT_EQUAL(SHD_OK, add("a.b-c_9"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_EXISTS, add("echo"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, add(""));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, add("has space"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, add("../x/y"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, add(std::string(65, 'a')));
        CPPUNIT_ASSERT_EQUAL(SHD_OK, add(std::string(64, 'a')));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, vt_->register_module(ctx_, s("nofn"), s("d"), nullptr, nullptr));
        CPPUNIT_ASSERT_EQUAL(SHD_OK, vt_->unregister_module(ctx_, s("echo")));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_NOT_FOUND, vt_->unregister_module(ctx_, s("echo")));
        CPPUNIT_ASSERT_EQUAL(SHD_OK, add("echo"));  // the name is free again
    }

    void callsAnswer() {
        CPPUNIT_ASSERT_EQUAL(SHD_OK, add("echo"));
        std::string out;
        CPPUNIT_ASSERT_EQUAL(SHD_OK, call("echo", R"({"a":[1,2]})", out));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"got":{"a":[1,2]}})"), out);
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, call("echo", "\"fail\"", out));
        CPPUNIT_ASSERT_EQUAL(std::string("echo refused"), out);
        CPPUNIT_ASSERT_EQUAL(SHD_OK, call("echo", "\"silent\"", out));
        CPPUNIT_ASSERT_EQUAL(std::string("null"), out);  // nothing answered: null
        // A request that is not one JSON value never reaches the handler.
        int before = calls_;
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, call("echo", "{not json", out));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, call("echo", "1 2", out));
        CPPUNIT_ASSERT_EQUAL(before, calls_);
    }

    void disabledAndUnknownModulesRefuse() {
        CPPUNIT_ASSERT_EQUAL(SHD_OK, add("echo"));
        std::string out;
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_NOT_FOUND, call("nosuch", "{}", out));
        CPPUNIT_ASSERT_EQUAL(std::string("no admin module nosuch on this server"), out);
        CPPUNIT_ASSERT_EQUAL(SHD_OK, vt_->set_enabled(ctx_, s("echo"), 0));
        int before = calls_;
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_UNSUPPORTED, call("echo", "{}", out));
        CPPUNIT_ASSERT_EQUAL(std::string("admin module echo is disabled"), out);
        CPPUNIT_ASSERT_EQUAL(before, calls_);
        CPPUNIT_ASSERT_EQUAL(SHD_OK, vt_->set_enabled(ctx_, s("echo"), 1));
        CPPUNIT_ASSERT_EQUAL(SHD_OK, call("echo", "{}", out));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_NOT_FOUND, vt_->set_enabled(ctx_, s("nosuch"), 1));
    }

    void listIsSortedJson() {
        CPPUNIT_ASSERT_EQUAL(SHD_OK, add("zeta"));
        CPPUNIT_ASSERT_EQUAL(SHD_OK, add("alpha"));
        registry_->add_builtin("components", "built in", [](const std::string &) { return std::string("[]"); });
        vt_->set_enabled(ctx_, s("zeta"), 0);
        std::string out;
        vt_->list(ctx_, &keep, &out);
        CPPUNIT_ASSERT_EQUAL(std::string(R"([{"name":"alpha","description":"d","enabled":true},)"
                                         R"({"name":"components","description":"built in","enabled":true},)"
                                         R"({"name":"zeta","description":"d","enabled":false}])"),
                             out);
        CPPUNIT_ASSERT_EQUAL(SHD_OK, call("components", "null", out));
        CPPUNIT_ASSERT_EQUAL(std::string("[]"), out);
    }

    // shd::AdminModules (shaddock/cpp/admin.hpp) against the real table, found through a host API whose
    // lookup_service answers with this registry: an shd::Error keeps its status and message, any other
    // exception is an internal error, a request that is not JSON never reaches the function, and the
    // destructor unregisters what the object added.
    void cppWrapperTurnsExceptionsIntoErrors() {
        shd_host_api api{};
        api.struct_size = sizeof api;
        api.ctx = reinterpret_cast<shd_host_ctx *>(this);
        api.lookup_service = [](shd_host_ctx *ctx, shd_str id, const void **vt, void **sctx) -> shd_status {
            auto *self = reinterpret_cast<AdminRegistryTest *>(ctx);
            if (std::string(id.data, id.size) != SHD_ADMIN_SERVICE_ID) return SHD_ERR_NOT_FOUND;
            *vt = self->vt_;
            *sctx = self->ctx_;
            return SHD_OK;
        };
        shd::Host host(&api);
        std::string out;
        {
            shd::AdminModules modules(host);
            modules.add("typed", "typed", [](const rapidjson::Value &req) -> std::string {
                if (!req.IsObject()) throw shd::Error(SHD_ERR_INVALID, "expected an object");
                if (req.HasMember("boom")) throw std::runtime_error("boom");
                return "true";
            });
            CPPUNIT_ASSERT_THROW(modules.add("typed", "again", [](const rapidjson::Value &) { return "1"; }), shd::Error);
            CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, call("typed", "[1]", out));
            CPPUNIT_ASSERT_EQUAL(std::string("expected an object"), out);
            CPPUNIT_ASSERT_EQUAL(SHD_ERR_INTERNAL, call("typed", R"({"boom":1})", out));
            CPPUNIT_ASSERT_EQUAL(std::string("internal error: boom"), out);
            CPPUNIT_ASSERT_EQUAL(SHD_OK, call("typed", "{}", out));
            CPPUNIT_ASSERT_EQUAL(std::string("true"), out);
            CPPUNIT_ASSERT_EQUAL(std::string("true"), modules.call("typed", "{}"));
            CPPUNIT_ASSERT_THROW(modules.call("nosuch", "{}"), shd::Error);
        }
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_NOT_FOUND, call("typed", "{}", out));
    }

private:
    Logger log_;
    std::unique_ptr<AdminRegistry> registry_;
    const shd_admin_v1 *vt_ = nullptr;
    void *ctx_ = nullptr;
    int calls_ = 0;
};

CPPUNIT_TEST_SUITE_REGISTRATION(AdminRegistryTest);

}  // namespace
}  // namespace shd::host
