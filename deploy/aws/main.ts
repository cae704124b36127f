// The CDK app's entry point (deploy/aws/cdk.json): `npx aws-cdk synth -c cloudImage=… …`.
import { buildApp } from './app.js';

buildApp().app.synth();
