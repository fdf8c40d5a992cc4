#!/bin/sh
OUT=build
mkdir -p $OUT
cp -r src $OUT/
echo "built into $OUT"
