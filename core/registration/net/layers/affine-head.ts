/**
 * A learned global affine motion: from a global feature vector (the same for every point, e.g. GlobalContext's
 * max-pool), an MLP predicts 12 numbers, a 3×3 matrix M and a translation t, and every point moves by
 *   u(x) = M x + t.
 * Optimal-transport matching is blind to the rotational part of a motion (the quadratic-cost OT map is the
 * gradient of a convex function, whose Jacobian is symmetric), so a rotation or shear of the whole organ is
 * left mostly to this head. The last layer starts at zero: u ≡ 0 before training.
 * Inputs: [xyz [B,N,3], global [B,N,C]]; output [B, N, 3].
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { leaky, linear } from '../graph-ops.ts';
import type { AddWeight } from './mlp-weights.ts';

type Shape = (number | null)[];
type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

export type AffineHeadArgs = LayerArgs & { hidden: number; seed: number };

export class AffineHead extends tfl.layers.Layer {
  static className = 'MongeAffineHead';
  readonly hidden: number;
  readonly seed: number;
  private w1?: LayerVariable;
  private b1?: LayerVariable;
  private w2?: LayerVariable;
  private b2?: LayerVariable;

  constructor(args: AffineHeadArgs) {
    super(args);
    this.hidden = args.hidden;
    this.seed = args.seed;
  }

  override build(inputShape: Shape | Shape[]): void {
    const c = (inputShape as Shape[])[1][2] as number;
    const add = this.addWeight.bind(this) as AddWeight;
    this.w1 = add('w1', [c, this.hidden], 'float32', tfl.initializers.glorotUniform({ seed: this.seed * 131 + 1 }));
    this.b1 = add('b1', [this.hidden], 'float32', tfl.initializers.zeros());
    this.w2 = add('w2', [this.hidden, 12], 'float32', tfl.initializers.zeros());
    this.b2 = add('b2', [12], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = (inputShape as Shape[])[0];
    return [s[0], s[1], 3];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, g] = inputs as tf.Tensor[];
      const b = x.shape[0] as number;
      const global = tf.squeeze(tf.slice(g, [0, 0, 0], [-1, 1, -1]), [1]);
      const h = leaky(linear(global, this.w1!.read(), this.b1!.read()));
      const params = linear(h, this.w2!.read(), this.b2!.read());
      const m = tf.reshape(tf.slice(params, [0, 0], [-1, 9]), [b, 3, 3]);
      const t = tf.reshape(tf.slice(params, [0, 9], [-1, 3]), [b, 1, 3]);
      // u = x Mᵀ + t for row vectors x.
      return tf.add(tf.matMul(x as tf.Tensor3D, m as tf.Tensor3D, false, true), t);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), hidden: this.hidden, seed: this.seed };
  }
}
