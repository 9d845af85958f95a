import { contextBridge, ipcRenderer } from 'electron'
import type { RibambelleBridge } from '@shared/bridge'
import type { LiveMessage } from '@shared/contract/live'

// The renderer gets this one typed object, never ipcRenderer itself.
const bridge: RibambelleBridge = {
  call: (name, input) => ipcRenderer.invoke('ribambelle:call', name, input),
  saveFile: (defaultName, data) => ipcRenderer.invoke('ribambelle:save-file', defaultName, data),
  // The renderer's listener gets the message only, never the IPC event (which would reach ipcRenderer).
  onLive: (listener) => {
    const l = (_event: unknown, m: LiveMessage) => listener(m)
    ipcRenderer.on('ribambelle:live', l)
    return () => void ipcRenderer.removeListener('ribambelle:live', l)
  },
  liveStart: (lastId) => ipcRenderer.invoke('ribambelle:live-start', lastId),
  liveStop: () => ipcRenderer.invoke('ribambelle:live-stop'),
  platform: process.platform
}

contextBridge.exposeInMainWorld('ribambelle', bridge)
