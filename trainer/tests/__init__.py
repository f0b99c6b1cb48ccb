"""Tests of the gastric_trainer package (standard-library unittest only).

Run from trainer/:  /usr/bin/python3 -m unittest discover -s tests -t .
"""
