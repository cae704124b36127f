import { describeSerialContract } from './helpers/serial-contract.js';
import { mockAdapter } from './helpers/serial-adapters.js';

describeSerialContract('serialport mock binding, in process', mockAdapter);
