#!/bin/sh
# Runs after the lab tests (ctest FIXTURES_CLEANUP): `ip netns list` must show nothing the test
# labs made (lt3, lt3b, ltrate, ltjumbo) and no state directory may remain.
left=$(ip netns list | awk '{print $1}' | grep -E '^(lt3|lt3b|ltrate|ltjumbo)-')
state=$(ls -d /run/linkmon-lab/lt3 /run/linkmon-lab/lt3b /run/linkmon-lab/ltrate \
  /run/linkmon-lab/ltjumbo 2>/dev/null)
if [ -n "$left$state" ]; then
  echo "left behind: $left $state"
  exit 1
fi
echo "ip netns list shows nothing the lab tests made"
