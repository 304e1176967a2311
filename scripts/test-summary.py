#!/usr/bin/env python3
"""Prints one closing line for the whole suite from the Surefire and Failsafe XML reports."""
import glob
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
for report in glob.glob("*/target/surefire-reports/TEST-*.xml") + glob.glob("*/target/failsafe-reports/TEST-*.xml"):
    suite = ET.parse(report).getroot()
    tests, failures, errors = int(suite.get("tests", 0)), int(suite.get("failures", 0)), int(suite.get("errors", 0))
    skip = int(suite.get("skipped", 0))
    passed += tests - failures - errors - skip
    failed += failures + errors
    skipped += skip
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
