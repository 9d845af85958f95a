import { contextBridge, ipcRenderer } from 'electron'
import type { RibambelleBridge } from '@shared/bridge'

// The renderer gets this one typed object, never ipcRenderer itself.
const bridge: RibambelleBridge = {
  call: (name, input) => ipcRenderer.invoke('ribambelle:call', name, input),
  saveFile: (defaultName, data) => ipcRenderer.invoke('ribambelle:save-file', defaultName, data),
  platform: process.platform
}

contextBridge.exposeInMainWorld('ribambelle', bridge)
