import { describe, expect, it } from 'vitest';
import { deviceCost, hashPassword, staffCost, verifyPassword } from './password-hash.ts';

// Made by the two modules this one replaces, before it existed: the box's staff passwords
// (appliance/clinic/staff.ts: N=2^15, salt and key in base64 with padding) and the hub's device
// secrets (provisioning/credentials.ts: N=2^14, base64url). Boxes and hubs in the field hold
// both; each must still verify.
const oldStaffHash = 'scrypt$32768$8$1$FPdxhBDyWAHV7+5z32SE/A==$Ug1cLSt4Aad35oZxX4mfLVepi3ilY2jtXgIIRij/wOc=';
const oldDeviceHash = 'scrypt$16384$8$1$TFMLE9sc1vGXsr-4qokRTw$x3XVMXrGXvoM1GYR4AFbnsvSGaK_MvOVCoBb7Z5vz4U';

describe('password hash', () => {
  it('still verifies a staff password hashed by the old staff module (base64 salt)', async () => {
    expect(await verifyPassword('kata-sandi-lama-1', oldStaffHash)).toBe(true);
    expect(await verifyPassword('kata-sandi-lama-2', oldStaffHash)).toBe(false);
  });

  it('still verifies a device secret hashed by the old provisioning module (base64url salt)', async () => {
    expect(await verifyPassword('rahasia-perangkat-lama', oldDeviceHash)).toBe(true);
    expect(await verifyPassword('rahasia-perangkat-lamb', oldDeviceHash)).toBe(false);
  });

  it('hashes with the cost it is given, a new salt each time, and verifies its own hashes', async () => {
    const a = await hashPassword('pohon-mangga-di-halaman', staffCost);
    const b = await hashPassword('pohon-mangga-di-halaman', staffCost);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('pohon-mangga-di-halaman', a)).toBe(true);
    expect(await verifyPassword('pohon-mangga-di-halamaN', a)).toBe(false);
    const d = await hashPassword('rahasia', deviceCost);
    expect(d).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('rahasia', d)).toBe(true);
  });

  it('answers false, without throwing, for a stored value that is not one of its hashes', async () => {
    for (const stored of [
      '',
      'scrypt',
      'bcrypt$x$y',
      'scrypt$32768$8$1$',
      'scrypt$32768$8$1$c2FsdA$',
      'scrypt$3$8$1$c2FsdA$a2V5',
      'scrypt$abc$8$1$c2FsdA$a2V5',
      'scrypt$1099511627776$8$1$c2FsdA$a2V5',
    ]) {
      expect(await verifyPassword('anything', stored), stored).toBe(false);
    }
  });
});
