#!/bin/sh
echo "installing skyform-demo 1.0.0"
