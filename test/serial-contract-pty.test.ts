import { describeSerialContract } from './helpers/serial-contract.js';
import { ptyAdapter } from './helpers/serial-adapters.js';

describeSerialContract('pseudo-terminals (socat) + serialport native binding', ptyAdapter);
