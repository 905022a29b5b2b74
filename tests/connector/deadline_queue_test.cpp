// The I/O thread's deadline queue against a connection whose start throws: the queue must never be
// left pointing at a freed connection. It owns what it holds, so the connection lives until its
// deadline has run, then closes and goes.
#include "connection.hpp"
#include "connection_tracker.hpp"
#include "io_thread.hpp"

#include <boost/asio/io_context.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <stdexcept>

namespace shd::connector {
namespace {

// A transport that fails the way an exception on the I/O path would: after the connection has
// queued its accept deadline.
class ThrowingConnection final : public Connection {
public:
    using Connection::Connection;
    bool throw_at_start = true;
    std::string finished_with;

private:
    void start_transport() override {
        if (throw_at_start) throw std::runtime_error("transport failed");
    }
    void write_inflight() override { on_write_done(true); }
    void shutdown_transport() override { finish("shut down"); }
    void close_socket() override { finished_with = "socket closed"; }
    void resume_transport() override {}
};

class DeadlineQueueTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DeadlineQueueTest);
    CPPUNIT_TEST(queueKeepsAConnectionWhoseStartThrew);
    CPPUNIT_TEST(finishedConnectionLeavesTheQueue);
    CPPUNIT_TEST_SUITE_END();

    boost::asio::io_context io_{1};
    ConnectionSettings settings_;
    ConnectionTracker tracker_{0};

public:
    void queueKeepsAConnectionWhoseStartThrew() {
        std::weak_ptr<ThrowingConnection> weak;
        {
            auto c = std::make_shared<ThrowingConnection>(io_.get_executor(), settings_, tracker_.acquire(),
                                                          Clock::now() + std::chrono::milliseconds(50), "test");
            weak = c;
            CPPUNIT_ASSERT_THROW(c->start(), std::runtime_error);
        }  // the only outside reference is gone, with the accept deadline still queued
        IoThread &thread = IoThread::of(io_.get_executor());
        CPPUNIT_ASSERT_EQUAL(size_t(1), thread.scheduled());
        CPPUNIT_ASSERT_MESSAGE("a queued connection must stay alive", !weak.expired());
        CPPUNIT_ASSERT_EQUAL(uint64_t(1), tracker_.count());

        // The deadline fires (this would read freed memory if the queue held a dangling pointer),
        // closes the connection, and the connection goes.
        io_.run_for(std::chrono::milliseconds(300));
        CPPUNIT_ASSERT(weak.expired());
        CPPUNIT_ASSERT_EQUAL(size_t(0), thread.scheduled());
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), tracker_.count());
    }

    void finishedConnectionLeavesTheQueue() {
        std::weak_ptr<ThrowingConnection> weak;
        {
            auto c = std::make_shared<ThrowingConnection>(io_.get_executor(), settings_, tracker_.acquire(),
                                                          Clock::now() + std::chrono::seconds(60), "test");
            c->throw_at_start = false;
            weak = c;
            c->start();
            CPPUNIT_ASSERT_EQUAL(size_t(1), IoThread::of(io_.get_executor()).scheduled());
            c->abort_async("stop");
            io_.run_for(std::chrono::milliseconds(50));
            CPPUNIT_ASSERT_EQUAL(std::string("socket closed"), c->finished_with);
            CPPUNIT_ASSERT_EQUAL(size_t(0), IoThread::of(io_.get_executor()).scheduled());
        }
        io_.run_for(std::chrono::milliseconds(20));  // the queue's handle is released in a handler
        CPPUNIT_ASSERT(weak.expired());
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), tracker_.count());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(DeadlineQueueTest);

}  // namespace
}  // namespace shd::connector
