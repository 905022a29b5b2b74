#include "sync_database.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <mutex>

namespace shd::sync {

namespace {

void register_connectors() {
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::PostgreSQL::Connector::registerConnector();
    });
}

// SQLite answers "locked" or "busy" while another connection writes the file: try again later.
bool sqlite_transient(const Poco::Exception &e) {
    return dynamic_cast<const Poco::Data::SQLite::DBLockedException *>(&e) ||
           dynamic_cast<const Poco::Data::SQLite::TableLockedException *>(&e) ||
           dynamic_cast<const Poco::Data::SQLite::IOErrorException *>(&e) ||
           dynamic_cast<const Poco::Data::SQLite::DatabaseFullException *>(&e) ||
           dynamic_cast<const Poco::Data::SQLite::CantOpenDBFileException *>(&e);
}

}  // namespace

SyncDatabase::SyncDatabase(Dialect dialect, std::string connection, std::string secret, int connect_timeout_s)
    : dialect_(dialect),
      connection_(std::move(connection)),
      secret_(std::move(secret)),
      connect_timeout_s_(connect_timeout_s) {
    register_connectors();
}

SyncDatabase::~SyncDatabase() {
    close();
}

std::string SyncDatabase::redact(std::string message) const {
    if (secret_.empty()) return message;
    for (size_t at; (at = message.find(secret_)) != std::string::npos;) message.replace(at, secret_.size(), "********");
    return message;
}

void SyncDatabase::connect(const std::vector<std::string> &init_sql) {
    close();
    try {
        auto session = std::make_unique<Poco::Data::Session>(dialect_ == Dialect::postgresql ? "PostgreSQL" : "SQLite",
                                                             connection_, static_cast<std::size_t>(connect_timeout_s_));
        if (dialect_ == Dialect::sqlite) {
            // WAL: a commit is durable once written to the log, and readers never block the writer.
            *session << "PRAGMA journal_mode=WAL", Poco::Data::Keywords::now;
            *session << "PRAGMA synchronous=NORMAL", Poco::Data::Keywords::now;
            *session << "PRAGMA busy_timeout=2000", Poco::Data::Keywords::now;
        } else {
            // libpq prints notices ("relation already exists, skipping") to stderr otherwise.
            *session << "SET client_min_messages = warning", Poco::Data::Keywords::now;
        }
        for (const std::string &sql : init_sql) *session << sql, Poco::Data::Keywords::now;
        session_ = std::move(session);
    } catch (const Poco::Exception &e) {
        throw Unreachable{redact(e.displayText())};
    } catch (const std::exception &e) {
        throw Unreachable{redact(e.what())};
    }
}

void SyncDatabase::forget_statements() {
    try {
        prepared_.clear();
    } catch (...) {
        // a statement of a broken connection: nothing to release
    }
}

Poco::Data::Statement &SyncDatabase::prepared(const Write &w) {
    std::string key = w.writer->sql;
    key += '\0';
    for (const Param &p : w.params) key += static_cast<char>('0' + p.index());
    auto it = prepared_.find(key);
    if (it == prepared_.end()) {
        Prepared fresh;
        fresh.statement = std::make_unique<Poco::Data::Statement>(*session_);
        Poco::Data::Statement &st = *fresh.statement;
        st << w.writer->sql;
        using Poco::Data::Keywords::use;
        for (const Param &p : w.params) {
            Slot &slot = fresh.slots.emplace_back();
            switch (p.index()) {
                case 0: st.addBind(use(Poco::Data::Keywords::null)); break;
                case 1: st.addBind(use(slot.b)); break;
                case 2: st.addBind(use(slot.i)); break;
                case 3: st.addBind(use(slot.d)); break;
                default: st.addBind(use(slot.s)); break;
            }
        }
        it = prepared_.emplace(std::move(key), std::move(fresh)).first;
    }
    Prepared &p = it->second;
    for (size_t i = 0; i < w.params.size(); ++i) {
        const Param &v = w.params[i];
        Slot &slot = p.slots[i];
        switch (v.index()) {
            case 0: break;
            case 1: slot.b = std::get<bool>(v); break;
            case 2: slot.i = static_cast<Poco::Int64>(std::get<int64_t>(v)); break;
            case 3: slot.d = std::get<double>(v); break;
            default: slot.s = std::get<std::string>(v); break;
        }
    }
    return *p.statement;
}

void SyncDatabase::close() {
    forget_statements();
    if (!session_) return;
    try {
        session_->close();
    } catch (...) {
        // closing a broken connection: nothing to save
    }
    session_.reset();
}

bool SyncDatabase::alive() {
    if (!session_) return false;
    try {
        if (!session_->isConnected()) return false;
        int one = 0;
        *session_ << "SELECT 1", Poco::Data::Keywords::into(one), Poco::Data::Keywords::now;
        return one == 1;
    } catch (...) {
        return false;
    }
}

std::optional<SyncDatabase::Refusal> SyncDatabase::write(const std::vector<Write> &batch) {
    if (!session_) throw Unreachable{"not connected"};
    size_t at = 0;
    try {
        session_->begin();
        for (; at < batch.size(); ++at) {
            prepared(batch[at]).execute();
        }
        at = batch.size();  // a failure from here on is the commit's
        session_->commit();
        return std::nullopt;
    } catch (const Poco::Exception &e) {
        std::string message = redact(e.displayText());
        bool transient = (dialect_ == Dialect::sqlite && sqlite_transient(e)) || at == batch.size();
        try {
            if (session_->isTransaction()) session_->rollback();
        } catch (...) {
        }
        forget_statements();  // prepared again on the next attempt, whatever state this left them in
        if (transient || !alive()) {
            close();
            throw Unreachable{message};
        }
        return Refusal{at, message};
    }
}

}  // namespace shd::sync
