import {
  compareWithReference,
  estimateNoiseSigma,
  estimateSnrDb,
  IShiftInputs,
  wassersteinDistance
} from '../domain-shift';
import { gaussian } from './fixtures';

/** 1 / (0.6745·√2): the σ of differences whose MAD is 1. */
const UNIT_MAD_SIGMA = 1 / (0.6745 * Math.SQRT2);

/** A height × width plane: value(r, c) + σ·N(0, 1), seeded. */
function plane(
  height: number,
  width: number,
  sigma: number,
  seed: number,
  value: (r: number, c: number) => number = () => 0
): { data: Float64Array; height: number; width: number } {
  const g = gaussian(seed);
  const data = new Float64Array(height * width);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      data[r * width + c] = value(r, c) + sigma * g();
    }
  }
  return { data, height, width };
}

/** +1 in the top half, −1 in the bottom: std 1, no horizontal differences. */
const halves =
  (h: number) =>
  (r: number): number =>
    r < h / 2 ? 1 : -1;

describe('wassersteinDistance', () => {
  it('is the shift between shifted samples', () => {
    expect(wassersteinDistance([0, 1, 2], [1, 2, 3])).toBeCloseTo(1, 14);
    expect(wassersteinDistance([2, 0, 1], [3, 1, 2])).toBeCloseTo(1, 14);
    expect(wassersteinDistance([5], [2])).toBe(3);
  });

  it('is 0 for the same distribution in samples of different lengths', () => {
    expect(wassersteinDistance([0, 0, 1, 1], [0, 1])).toBe(0);
    expect(wassersteinDistance([1, 2, 3], [3, 2, 1])).toBe(0);
  });

  it('integrates the quantile functions exactly', () => {
    // [0] vs [0, 1]: the second is 1 on half of (0, 1).
    expect(wassersteinDistance([0], [0, 1])).toBeCloseTo(0.5, 14);
    // [1,2,3] vs [1,2,3,4]: |Δ| = 1 on (1/4, 1/3), (1/2, 2/3), (3/4, 1),
    // so 1/12 + 2/12 + 3/12 = 1/2.
    expect(wassersteinDistance([1, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.5, 14);
    // [0, 10] vs [4]: |0 − 4|/2 + |10 − 4|/2 = 5.
    expect(wassersteinDistance([0, 10], [4])).toBeCloseTo(5, 14);
  });

  it('is symmetric', () => {
    const a = [0.3, -1.2, 4, 2.5, 0];
    const b = [1, 1, 7];
    expect(wassersteinDistance(a, b)).toBeCloseTo(
      wassersteinDistance(b, a),
      14
    );
  });

  it('ignores NaN and is NaN without values', () => {
    expect(wassersteinDistance([0, NaN, 1], [0, 1])).toBe(0);
    expect(wassersteinDistance([], [1])).toBeNaN();
  });
});

describe('estimateNoiseSigma', () => {
  it('is MAD / (0.6745·√2) of horizontal differences', () => {
    // Differences 1, −1, 1, −1: median 0, MAD 1.
    expect(estimateNoiseSigma([0, 1, 0, 1, 0], 1, 5)).toBeCloseTo(
      UNIT_MAD_SIGMA,
      14
    );
    expect(UNIT_MAD_SIGMA).toBeCloseTo(1.048342, 6);
    // Two rows; differences 2, 2 | 0, 4: median 2, MAD median(0, 0, 2, 2) = 1.
    expect(estimateNoiseSigma([0, 2, 4, 1, 1, 5], 2, 3)).toBeCloseTo(
      UNIT_MAD_SIGMA,
      14
    );
  });

  it('is 0 for a constant or smoothly sloped plane', () => {
    expect(estimateNoiseSigma(new Float32Array(64).fill(3), 8, 8)).toBe(0);
    const ramp = Float64Array.from({ length: 64 }, (_, i) => 0.5 * (i % 8));
    expect(estimateNoiseSigma(ramp, 8, 8)).toBe(0);
  });

  it('recovers σ = 2 of Gaussian noise within 5 %', () => {
    const p = plane(256, 256, 2, 7);
    const sigma = estimateNoiseSigma(p.data, p.height, p.width);
    expect(Math.abs(sigma - 2) / 2).toBeLessThan(0.05);
  });

  it('ignores a smooth signal under the noise', () => {
    const p = plane(
      256,
      256,
      2,
      11,
      (r, c) => 0.05 * c + 10 * Math.sin(r / 20)
    );
    const sigma = estimateNoiseSigma(p.data, p.height, p.width);
    expect(Math.abs(sigma - 2) / 2).toBeLessThan(0.05);
  });

  it('is NaN for a plane less than 2 pixels wide', () => {
    expect(estimateNoiseSigma([1, 2, 3], 3, 1)).toBeNaN();
  });
});

describe('estimateSnrDb', () => {
  it('is 20·log10(std / noise σ)', () => {
    // std of 0,1,0,1,0 is √0.24; σ as above.
    expect(estimateSnrDb([0, 1, 0, 1, 0], 1, 5)).toBeCloseTo(
      20 * Math.log10(Math.sqrt(0.24) / UNIT_MAD_SIGMA),
      12
    );
    expect(estimateSnrDb([0, 1, 0, 1, 0], 1, 5)).toBeCloseTo(-6.60795, 4);
  });

  it('is Infinity without noise', () => {
    expect(estimateSnrDb(Float64Array.from([1, 1, 2, 2]), 2, 2)).toBe(Infinity);
  });

  it('matches the signal and noise that made the plane', () => {
    // Signal std 1 and noise σ 0.1: 20·log10(√1.01 / 0.1) = 20.04 dB.
    const p = plane(128, 128, 0.1, 3, halves(128));
    expect(Math.abs(estimateSnrDb(p.data, 128, 128) - 20.043)).toBeLessThan(
      0.3
    );
  });
});

describe('compareWithReference', () => {
  const reference = plane(128, 128, 0.1, 21, halves(128));
  const same = (extra: Partial<IShiftInputs> = {}): IShiftInputs => ({
    user: reference,
    reference,
    userPixelSizeUm: 0.5,
    modelPixelSizeUm: 0.5,
    userDims: 2,
    modelDims: 2,
    ...extra
  });
  const shifted = (by: number) => ({
    ...reference,
    data: reference.data.map(v => v + by)
  });

  it('finds nothing wrong with the reference itself', () => {
    const report = compareWithReference(same());
    expect(report.checks).toEqual([
      {
        id: 'intensity',
        level: 'ok',
        value: 0,
        message:
          "After normalisation your intensities look like the model's test image (distance 0.00 on a scale where 0 is identical)."
      },
      {
        id: 'pixel-size',
        level: 'ok',
        value: 1,
        message:
          "Your pixel size matches the model's training data (0.5 µm vs 0.5 µm)."
      },
      {
        id: 'dims',
        level: 'ok',
        value: 2,
        message: 'Your image and the model are both 2D.'
      },
      expect.objectContaining({ id: 'snr', level: 'ok', value: 0 })
    ]);
    expect(report.doubtful).toBe(false);
  });

  it('fails intensities 0.71 apart', () => {
    const report = compareWithReference(same({ user: shifted(0.71) }));
    const intensity = report.checks[0];
    expect(intensity.level).toBe('fail');
    expect(intensity.value).toBeCloseTo(0.71, 12);
    expect(intensity.message).toBe(
      "After normalisation your intensities differ from the model's test image (distance 0.71 on a scale where 0 is identical): results may be unreliable."
    );
    // A shift changes neither noise nor signal spread.
    expect(report.checks[3].level).toBe('ok');
    expect(report.doubtful).toBe(true);
  });

  it('warns at 0.4, doubtful only with a second warning', () => {
    const one = compareWithReference(same({ user: shifted(0.4) }));
    expect(one.checks[0].level).toBe('warn');
    expect(one.checks[0].message).toBe(
      "After normalisation your intensities differ somewhat from the model's test image (distance 0.40 on a scale where 0 is identical): check the results carefully."
    );
    expect(one.doubtful).toBe(false);
    const two = compareWithReference(
      same({ user: shifted(0.4), userPixelSizeUm: undefined })
    );
    expect(two.checks[1]).toEqual({
      id: 'pixel-size',
      level: 'warn',
      value: null,
      message:
        'The pixel size cannot be compared: your image file does not say its pixel size.'
    });
    expect(two.doubtful).toBe(true);
  });

  it('grades the pixel-size ratio as the model ranking does', () => {
    const near = compareWithReference(same({ userPixelSizeUm: 0.9 })).checks[1];
    expect(near.level).toBe('warn');
    expect(near.value).toBeCloseTo(1.8, 12);
    expect(near.message).toBe(
      "Your pixels are 1.8× larger than the model's training data (0.9 µm vs 0.5 µm); rescale the image by 1.8 or expect poorer results."
    );
    const far = compareWithReference(same({ userPixelSizeUm: 1.5 }));
    expect(far.checks[1].level).toBe('fail');
    expect(far.checks[1].value).toBeCloseTo(3, 12);
    expect(far.doubtful).toBe(true);
  });

  it('fails on a dimensionality mismatch', () => {
    const report = compareWithReference(same({ userDims: 3 }));
    expect(report.checks[2]).toEqual({
      id: 'dims',
      level: 'fail',
      value: 3,
      message:
        'Your image is 3D (a z-stack) but the model was made for 2D images: it sees one plane at a time, so results can change from plane to plane.'
    });
    expect(report.doubtful).toBe(true);
  });

  it('warns 6 dB and fails 12 dB below the reference SNR', () => {
    // User noise σ 0.3: 20·log10(√1.09 / 0.3) = 10.83 dB, 9.2 dB below 20.04.
    const warn = compareWithReference(
      same({ user: plane(128, 128, 0.3, 5, halves(128)) })
    ).checks[3];
    expect(warn.level).toBe('warn');
    expect(Math.abs((warn.value as number) - (10.832 - 20.043))).toBeLessThan(
      0.4
    );
    expect(warn.message).toMatch(
      /^Your image is noisier than the model's test image \(SNR 10\.\d dB vs 20\.\d dB\): check the results carefully\.$/
    );
    // User noise σ 0.5: 6.99 dB, 13.1 dB below.
    const fail = compareWithReference(
      same({ user: plane(128, 128, 0.5, 6, halves(128)) })
    ).checks[3];
    expect(fail.level).toBe('fail');
    expect(Math.abs((fail.value as number) - (6.99 - 20.043))).toBeLessThan(
      0.4
    );
    expect(fail.message).toMatch(/^Your image is much noisier/);
  });

  it('accepts a noise-free user image', () => {
    const clean = {
      data: Float64Array.from([1, 1, 2, 2]),
      height: 2,
      width: 2
    };
    const check = compareWithReference(same({ user: clean })).checks[3];
    expect(check.level).toBe('ok');
    expect(check.value).toBe(Infinity);
    expect(check.message).toMatch(
      /^Your image has no measurable noise \(the model's test image: 20\.\d dB\)\.$/
    );
  });

  it('cannot compare noise against a noise-free reference', () => {
    const clean = {
      data: Float64Array.from([1, 1, 2, 2]),
      height: 2,
      width: 2
    };
    const check = compareWithReference(same({ reference: clean })).checks[3];
    expect(check.level).toBe('warn');
    expect(check.value).toBeNull();
  });

  it('handles a 4096 × 4096 plane against a small reference', () => {
    // Eight copies of a 512-row band of noise: generating 16.7 M Gaussian
    // values is slow under jest, and the functions only see pixel values.
    const block = plane(512, 4096, 2, 99).data;
    const big = {
      data: new Float64Array(4096 * 4096),
      height: 4096,
      width: 4096
    };
    for (let k = 0; k < 8; k++) {
      big.data.set(block, k * block.length);
    }
    const small = plane(512, 512, 2, 100);
    expect(
      Math.abs(estimateNoiseSigma(big.data, 4096, 4096) - 2) / 2
    ).toBeLessThan(0.05);
    const report = compareWithReference({
      user: big,
      reference: small,
      userDims: 2,
      modelDims: 2,
      userPixelSizeUm: 0.5,
      modelPixelSizeUm: 0.5
    });
    // Same distribution: a small distance, and equal SNR near 0 dB.
    expect(report.checks[0].level).toBe('ok');
    expect(report.checks[0].value as number).toBeLessThan(0.1);
    expect(Math.abs(report.checks[3].value as number)).toBeLessThan(0.5);
    expect(report.doubtful).toBe(false);
  });
});
