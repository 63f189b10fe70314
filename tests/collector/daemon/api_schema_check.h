#pragma once

// Checks an answer of the scheduler API against its JSON Schema in docs/api/ (issue 7) with the
// real validator, python3-jsonschema (scripts/install-deps), rather than a hand-written check in
// C++: the schemas are the published contract, so the test reads exactly what a client would.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/support/subprocess.h"

namespace linkmon::collector::testing {

// Validates stdin's JSON against the schema file argv[1] with the validator its "$schema" names
// (Draft 2020-12); prints each error's path in the document and exits 1 if there is any.
inline constexpr const char* kValidateScript = R"(
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = sorted(cls(schema).iter_errors(json.load(sys.stdin)), key=lambda e: list(map(str, e.absolute_path)))
for e in errors:
    print("/" + "/".join(map(str, e.absolute_path)) + ": " + e.message)
sys.exit(1 if errors else 0)
)";

// `body` matches docs/api/<schema>.schema.json; on failure, the validator's errors and the body.
inline ::testing::AssertionResult MatchesApiSchema(const std::string& schema,
                                                   const std::string& body) {
  const std::string file = std::string(LINKMON_SOURCE_DIR) + "/docs/api/" + schema + ".schema.json";
  // Debian's python3, where install-deps puts python3-jsonschema (another python3 earlier in
  // PATH may not have it).
  auto result = linkmon::testing::RunCommand({"/usr/bin/python3", "-c", kValidateScript, file},
                                             std::chrono::seconds(30), body);
  if (result.exit_code == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << schema << ".schema.json: " << result.output << "\nbody: " << body;
}

}  // namespace linkmon::collector::testing
