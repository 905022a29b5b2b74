#include <shaddock/path/tiled_map.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace shd::path {

namespace {

// Where a value sits in the file, as a JSON pointer (RFC 6901), for error messages.
class Place {
public:
    Place(std::string_view source, std::string pointer) : source_(source), pointer_(std::move(pointer)) {}
    Place operator/(std::string_view key) const { return Place(source_, pointer_ + "/" + std::string(key)); }
    Place operator/(size_t index) const { return Place(source_, pointer_ + "/" + std::to_string(index)); }
    [[noreturn]] void fail(const std::string &what) const {
        throw MapError(std::string(source_) + ": " + (pointer_.empty() ? "/" : pointer_) + ": " + what);
    }

private:
    std::string_view source_;
    std::string pointer_;
};

using Value = rapidjson::Value;

const Value *member(const Value &object, const char *key) {
    auto it = object.FindMember(key);
    return it == object.MemberEnd() ? nullptr : &it->value;
}

double number_or(const Value &object, const char *key, double fallback, const Place &place) {
    const Value *v = member(object, key);
    if (!v) return fallback;
    if (!v->IsNumber()) (place / key).fail("expected a number");
    return v->GetDouble();
}

std::string string_or_empty(const Value &object, const char *key, const Place &place) {
    const Value *v = member(object, key);
    if (!v) return {};
    if (!v->IsString()) (place / key).fail("expected a string");
    return std::string(v->GetString(), v->GetStringLength());
}

std::string property_text(const Value &v, const Place &place) {
    if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
    if (v.IsNumber() || v.IsBool()) {
        rapidjson::StringBuffer text;
        rapidjson::Writer<rapidjson::StringBuffer> writer(text);
        v.Accept(writer);
        return text.GetString();
    }
    place.fail("expected a string, number or boolean property value");
}

void read_properties(const Value &v, MapObject &object, const Place &place) {
    if (v.IsObject()) {
        for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
            const std::string name(it->name.GetString(), it->name.GetStringLength());
            object.properties[name] = property_text(it->value, place / name);
        }
        return;
    }
    if (!v.IsArray()) place.fail("expected an object or an array of {name, value}");
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        const Place at = place / i;
        if (!v[i].IsObject()) at.fail("expected an object {name, type, value}");
        const Value *name = member(v[i], "name");
        const Value *value = member(v[i], "value");
        if (!name || !name->IsString()) (at / "name").fail("expected a string");
        if (!value) (at / "value").fail("missing");
        object.properties[name->GetString()] = property_text(*value, at / "value");
    }
}

MapObject read_object(const Value &v, const Place &place) {
    if (!v.IsObject()) place.fail("expected an object");
    MapObject object;
    const Value *id = member(v, "id");
    if (id) {
        if (!id->IsInt()) (place / "id").fail("expected an integer");
        object.id = id->GetInt();
    }
    object.name = string_or_empty(v, "name", place);
    object.type = string_or_empty(v, "type", place);
    object.x = number_or(v, "x", 0, place);
    object.y = number_or(v, "y", 0, place);
    object.width = number_or(v, "width", 0, place);
    object.height = number_or(v, "height", 0, place);
    if (const Value *polygon = member(v, "polygon")) {
        const Place at = place / "polygon";
        if (!polygon->IsArray()) at.fail("expected an array of {x, y}");
        for (rapidjson::SizeType i = 0; i < polygon->Size(); ++i) {
            const Value &p = (*polygon)[i];
            if (!p.IsObject()) (at / i).fail("expected an object {x, y}");
            const Value *x = member(p, "x");
            const Value *y = member(p, "y");
            if (!x || !x->IsNumber()) (at / i / "x").fail("expected a number");
            if (!y || !y->IsNumber()) (at / i / "y").fail("expected a number");
            object.polygon.push_back(Point{object.x + x->GetDouble(), object.y + y->GetDouble()});
        }
    }
    if (const Value *properties = member(v, "properties")) read_properties(*properties, object, place / "properties");
    return object;
}

int clamp_tile(double t, int limit) {
    return static_cast<int>(std::clamp(t, 0.0, static_cast<double>(limit)));
}

}  // namespace

const MapLayer *TiledMap::layer(std::string_view name) const {
    for (const MapLayer &l : object_layers) {
        if (l.name == name) return &l;
    }
    return nullptr;
}

TiledMap parse_tiled_map(std::string_view json, std::string_view source) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError()) {
        throw MapError(std::string(source) + ": not JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                       rapidjson::GetParseError_En(doc.GetParseError()));
    }
    const Place root(source, "");
    if (!doc.IsObject()) root.fail("expected a Tiled map (an object)");
    TiledMap map;
    map.width = number_or(doc, "width", -1, root) * number_or(doc, "tilewidth", -1, root);
    map.height = number_or(doc, "height", -1, root) * number_or(doc, "tileheight", -1, root);
    for (const char *key : {"width", "height", "tilewidth", "tileheight"}) {
        const Value *v = member(doc, key);
        if (!v) (root / key).fail("missing (a Tiled map has width, height, tilewidth and tileheight)");
        if (!(v->GetDouble() > 0)) (root / key).fail("expected a positive number");
    }
    const Value *layers = member(doc, "layers");
    if (!layers || !layers->IsArray()) (root / "layers").fail("expected an array of layers");
    for (rapidjson::SizeType i = 0; i < layers->Size(); ++i) {
        const Place at = root / "layers" / i;
        const Value &layer = (*layers)[i];
        if (!layer.IsObject()) at.fail("expected an object");
        if (string_or_empty(layer, "type", at) != "objectgroup") continue;
        MapLayer out;
        out.name = string_or_empty(layer, "name", at);
        const Value *objects = member(layer, "objects");
        if (!objects || !objects->IsArray()) (at / "objects").fail("expected an array of objects");
        for (rapidjson::SizeType j = 0; j < objects->Size(); ++j) {
            out.objects.push_back(read_object((*objects)[j], at / "objects" / j));
        }
        map.object_layers.push_back(std::move(out));
    }
    return map;
}

TiledMap load_tiled_map(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw MapError(path + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw MapError(path + ": cannot be read");
    return parse_tiled_map(text.str(), path);
}

void block_rectangle(TileMap &map, double x, double y, double width, double height) {
    Grid &grid = map.grid();
    const int x1 = clamp_tile(std::floor(x / map.tile_width()), grid.width());
    const int y1 = clamp_tile(std::floor(y / map.tile_height()), grid.height());
    const int x2 = clamp_tile(std::ceil((x + width) / map.tile_width()), grid.width());
    const int y2 = clamp_tile(std::ceil((y + height) / map.tile_height()), grid.height());
    for (int tx = x1; tx < x2; ++tx) {
        for (int ty = y1; ty < y2; ++ty) grid.block(Tile{tx, ty});
    }
}

bool inside_polygon(Point p, const std::vector<Point> &polygon) {
    bool inside = false;
    const size_t n = polygon.size();
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        const Point &a = polygon[i], &b = polygon[j];
        // On the edge a-b: collinear and within its box.
        const double cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
        if (cross == 0 && p.x >= std::min(a.x, b.x) && p.x <= std::max(a.x, b.x) && p.y >= std::min(a.y, b.y) &&
            p.y <= std::max(a.y, b.y)) {
            return true;
        }
        // A ray to +x crosses the edge (half-open in y, so a vertex is counted once).
        if ((a.y > p.y) != (b.y > p.y)) {
            const double x_at = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
            if (p.x < x_at) inside = !inside;
        }
    }
    return inside;
}

bool block_polygon(TileMap &map, const std::vector<Point> &polygon) {
    if (polygon.size() < 3) return false;
    double minx = polygon[0].x, maxx = minx, miny = polygon[0].y, maxy = miny;
    for (const Point &p : polygon) {
        minx = std::min(minx, p.x);
        maxx = std::max(maxx, p.x);
        miny = std::min(miny, p.y);
        maxy = std::max(maxy, p.y);
    }
    Grid &grid = map.grid();
    const double tw = map.tile_width(), th = map.tile_height();
    const int x1 = clamp_tile(std::floor(minx / tw), grid.width());
    const int y1 = clamp_tile(std::floor(miny / th), grid.height());
    const int x2 = clamp_tile(std::ceil(maxx / tw), grid.width());
    const int y2 = clamp_tile(std::ceil(maxy / th), grid.height());
    const double qx = tw / 4, qy = th / 4;
    for (int tx = x1; tx < x2; ++tx) {
        for (int ty = y1; ty < y2; ++ty) {
            const Point c = map.centre_of(Tile{tx, ty});
            if (inside_polygon(Point{c.x - qx, c.y - qy}, polygon) ||
                inside_polygon(Point{c.x + qx, c.y - qy}, polygon) ||
                inside_polygon(Point{c.x - qx, c.y + qy}, polygon) ||
                inside_polygon(Point{c.x + qx, c.y + qy}, polygon)) {
                grid.block(Tile{tx, ty});
            }
        }
    }
    return true;
}

TileMapBuild build_tile_map(const TiledMap &map, const TileMapOptions &options) {
    TileMapBuild out;
    out.map = TileMap(options.width > 0 ? options.width : map.width, options.height > 0 ? options.height : map.height,
                      options.tile_width, options.tile_height, options.neighbours);
    const MapLayer *collision = map.layer(options.collision_layer);
    if (!collision) return out;
    for (size_t i = 0; i < collision->objects.size(); ++i) {
        const MapObject &object = collision->objects[i];
        if (!object.polygon.empty()) {
            if (!block_polygon(out.map, object.polygon)) {
                out.warnings.push_back("layer '" + collision->name + "' object " + std::to_string(i) + " (id " +
                                       std::to_string(object.id) + "): a polygon of " +
                                       std::to_string(object.polygon.size()) + " point(s) blocks nothing");
            }
        } else {
            block_rectangle(out.map, object.x, object.y, object.width, object.height);
        }
    }
    return out;
}

}  // namespace shd::path
