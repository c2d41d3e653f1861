"""The vocabulary every engine shares: plain JSON in, plain values out, standard library only.

The native rules import it as part of the checker; the custom checkov checks
import it inside checkov's own isolated environment (`checker/policies/checkov/tap_common.py`
puts this package's parent on `sys.path`), so nothing here may import anything
outside the standard library or outside `checker.core`. A test imports it with
checkov's interpreter to keep it so.
"""
