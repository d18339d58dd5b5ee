import { runService } from '@platform/http';
import { inventoryService } from './service.ts';

runService(inventoryService);
