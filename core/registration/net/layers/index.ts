/**
 * The custom layers of the registration network, registered with tfjs's serialization registry so that a saved
 * model.json naming them (className 'Monge…') loads wherever tfjs runs, once this module is imported.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AffineHead } from './affine-head.ts';
import { CostVolume } from './cost-volume.ts';
import { FlowUpsample } from './flow-upsample.ts';
import { GaussianSmooth } from './gaussian-smooth.ts';
import { GlobalContext } from './global-context.ts';
import { OtFlow } from './ot-flow.ts';
import { SetConv } from './set-conv.ts';
import { TakeChannels, TakePoints } from './take-points.ts';

export { AffineHead, CostVolume, FlowUpsample, GaussianSmooth, GlobalContext, OtFlow, SetConv, TakeChannels, TakePoints };

for (const cls of [SetConv, AffineHead, CostVolume, FlowUpsample, GaussianSmooth, GlobalContext, OtFlow, TakeChannels, TakePoints]) tf.serialization.registerClass(cls);
