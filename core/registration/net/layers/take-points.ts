/**
 * Slicing layers. TakePoints: the first `count` points of a cloud [B, N, C] → [B, count, C]: a coarser pyramid level, since farthest-point
 * sampling orders points so that every prefix is itself a farthest-point sample.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

type Shape = (number | null)[];

export type TakePointsArgs = LayerArgs & {
  count: number;
};

export class TakePoints extends tfl.layers.Layer {
  static className = 'MongeTakePoints';
  readonly count: number;

  constructor(args: TakePointsArgs) {
    super(args);
    this.count = args.count;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    return [s[0], this.count, s[2]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.slice(x, [0, 0, 0], [-1, this.count, -1]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), count: this.count };
  }
}

export type TakeChannelsArgs = LayerArgs & {
  start: number;
  count: number;
};

/** Channels [start, start + count) of [B, N, C] → [B, N, count]. */
export class TakeChannels extends tfl.layers.Layer {
  static className = 'MongeTakeChannels';
  readonly start: number;
  readonly count: number;

  constructor(args: TakeChannelsArgs) {
    super(args);
    this.start = args.start;
    this.count = args.count;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    return [s[0], s[1], this.count];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.slice(x, [0, 0, this.start], [-1, -1, this.count]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), start: this.start, count: this.count };
  }
}
