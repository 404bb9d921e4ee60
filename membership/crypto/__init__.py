"""The cryptography of the secret ballot (issue 18): exponential ElGamal on secp256k1, with
zero-knowledge proofs that each ballot is well formed and a k-of-n threshold decryption of the
totals, so no single ballot, and no single officer's share, is ever enough to learn a choice.

- ``group``: points and scalars on secp256k1 (through coincurve), hashing to a scalar, and the
  one source of randomness, ``random_scalar``.
- ``elgamal``: encryption, the homomorphic sum, the disjunctive proof that a ciphertext holds one
  of a few small values, partial decryption with its proof, and the small discrete logarithm.
- ``shamir``: dealing the election's secret key into officers' shares, Lagrange coefficients,
  verification keys.
- ``ballot``: a ballot's ciphertexts and proofs, its canonical bytes and fingerprint, checking
  it, and the tally.

The package is pure: it imports nothing from Django or the rest of the project, stores nothing
and logs nothing, so it can be read, tested and used to verify an election on its own.
"""
