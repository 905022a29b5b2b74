// Walks the frozen ABI 1.0 layout table at run time and names every struct or member that moved, so a
// layout change reads as a list rather than as the first failed static_assert.
#define SHD_LAYOUT_TABLE_ONLY
#include "layout_v1_0.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>

namespace {

struct Row {
    std::string what;
    size_t actual, frozen;
    bool may_grow;
};

std::vector<Row> layout_rows() {
    std::vector<Row> rows;
#define SHD_ROW_STRUCT(type, size, align, growth)                                         \
    rows.push_back({#type " size", sizeof(type), size, std::string(#growth) == "grows"}); \
    rows.push_back({#type " alignment", alignof(type), align, false});
#define SHD_ROW_MEMBER(type, member, offset, size)                                        \
    rows.push_back({#type "." #member " offset", offsetof(type, member), offset, false}); \
    rows.push_back({#type "." #member " size", sizeof(static_cast<type *>(nullptr)->member), size, false});
    SHD_LAYOUT_V1_0(SHD_ROW_STRUCT, SHD_ROW_MEMBER)
#undef SHD_ROW_STRUCT
#undef SHD_ROW_MEMBER
    return rows;
}

class LayoutV10Test : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LayoutV10Test);
    CPPUNIT_TEST(every_struct_keeps_its_1_0_layout);
    CPPUNIT_TEST(minimum_descriptor_sizes_are_the_1_0_sizes);
    CPPUNIT_TEST(has_field_tells_1_0_members_from_later_ones);
    CPPUNIT_TEST_SUITE_END();

public:
    void every_struct_keeps_its_1_0_layout() {
        std::string moved;
        size_t checked = 0;
        for (const Row &r : layout_rows()) {
            ++checked;
            bool ok = r.may_grow ? r.actual >= r.frozen : r.actual == r.frozen;
            if (!ok)
                moved +=
                    "  " + r.what + ": " + std::to_string(r.actual) + ", frozen at " + std::to_string(r.frozen) + "\n";
        }
        CPPUNIT_ASSERT_MESSAGE("ABI 1.0 layout changed:\n" + moved, moved.empty());
        // 8 structs, 80 members: a table that lost rows would check less than it claims.
        CPPUNIT_ASSERT_EQUAL(size_t(2 * (8 + 80)), checked);
    }

    void minimum_descriptor_sizes_are_the_1_0_sizes() {
        CPPUNIT_ASSERT_EQUAL(size_t(SHD_LAYOUT_V1_0_PLUGIN_SIZE), size_t(SHD_PLUGIN_V1_0_SIZE));
        CPPUNIT_ASSERT_EQUAL(size_t(SHD_LAYOUT_V1_0_APP_SIZE), size_t(SHD_APP_V1_0_SIZE));
        // In 1.0 the minimum is the whole struct; later minors only add after it.
        CPPUNIT_ASSERT(sizeof(shd_plugin) >= SHD_PLUGIN_V1_0_SIZE);
        CPPUNIT_ASSERT(sizeof(shd_app) >= SHD_APP_V1_0_SIZE);
        CPPUNIT_ASSERT_EQUAL(size_t(1016), sizeof(shd_manifest_v1));
    }

    void has_field_tells_1_0_members_from_later_ones() {
        CPPUNIT_ASSERT(SHD_HAS_FIELD(shd_plugin, SHD_LAYOUT_V1_0_PLUGIN_SIZE, on_destroy));
        CPPUNIT_ASSERT(!SHD_HAS_FIELD(shd_plugin, SHD_LAYOUT_V1_0_PLUGIN_SIZE - 1, on_destroy));
        CPPUNIT_ASSERT(SHD_HAS_FIELD(shd_app, SHD_LAYOUT_V1_0_APP_SIZE, on_start_all));
        CPPUNIT_ASSERT(SHD_HAS_FIELD(shd_host_api, 144, now_ms));
        CPPUNIT_ASSERT(!SHD_HAS_FIELD(shd_host_api, 136, now_ms));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LayoutV10Test);

}  // namespace
