"""Records, reasons, errors and hashing: the types every other part shares. Imports nothing else of the
package."""
