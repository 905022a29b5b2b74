// The main() of every CppUnit test binary: runs the suites registered in the binary, or only those
// named on the command line, and exits non-zero on any failure.
#include <cppunit/BriefTestProgressListener.h>
#include <cppunit/CompilerOutputter.h>
#include <cppunit/TestResult.h>
#include <cppunit/TestResultCollector.h>
#include <cppunit/TestRunner.h>
#include <cppunit/extensions/TestFactoryRegistry.h>

#include <iostream>

int main(int argc, char **argv) {
    CppUnit::TestResult controller;
    CppUnit::TestResultCollector collected;
    controller.addListener(&collected);
    CppUnit::BriefTestProgressListener progress;
    controller.addListener(&progress);

    CppUnit::TestRunner runner;
    runner.addTest(CppUnit::TestFactoryRegistry::getRegistry().makeTest());
    try {
        if (argc > 1) {
            for (int i = 1; i < argc; ++i) runner.run(controller, argv[i]);
        } else {
            runner.run(controller);
        }
    } catch (const std::exception &e) {
        std::cerr << "test selection failed: " << e.what() << "\n";
        return 2;
    }
    CppUnit::CompilerOutputter out(&collected, std::cerr);
    out.write();
    return collected.wasSuccessful() ? 0 : 1;
}
