#!/usr/bin/env python3
"""An independent implementation of WeChat's safe-mode framing, on the `cryptography` package, for wx-push's
cross-check test. Written from WeChat's description, not from the Rust code.

  wechat_crypto.py encrypt KEY43 APPID PREFIX_HEX   < xml bytes      → base64 Encrypt value
  wechat_crypto.py decrypt KEY43 APPID              < base64 Encrypt → hex of the XML bytes
  wechat_crypto.py raw KEY43 APPID                  < hex plaintext  → base64 of its AES-CBC encryption, unpadded
                                                      (for crafting malformed frames)
"""
import base64
import struct
import sys

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def key_of(encoding_aes_key):
    key = base64.b64decode(encoding_aes_key + "=")
    assert len(key) == 32, len(key)
    return key


def encrypt(key, appid, prefix, xml):
    plain = prefix + struct.pack(">I", len(xml)) + xml + appid.encode()
    padder = padding.PKCS7(256).padder()  # WeChat pads to 32-byte blocks
    padded = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(padded) + enc.finalize()).decode()


def decrypt(key, appid, encrypted):
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    padded = dec.update(base64.b64decode(encrypted)) + dec.finalize()
    unpadder = padding.PKCS7(256).unpadder()
    plain = unpadder.update(padded) + unpadder.finalize()
    (length,) = struct.unpack(">I", plain[16:20])
    xml, found = plain[20:20 + length], plain[20 + length:]
    if found.decode() != appid:
        sys.exit("appid mismatch: %r" % found)
    return xml


def main():
    op, key, appid = sys.argv[1], key_of(sys.argv[2]), sys.argv[3]
    data = sys.stdin.buffer.read()
    if op == "encrypt":
        print(encrypt(key, appid, bytes.fromhex(sys.argv[4]), data))
    elif op == "raw":
        enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        print(base64.b64encode(enc.update(bytes.fromhex(data.decode().strip())) + enc.finalize()).decode())
    elif op == "decrypt":
        print(decrypt(key, appid, data.decode().strip()).hex())
    else:
        sys.exit("unknown op " + op)


if __name__ == "__main__":
    main()
